# ruff: noqa: E501  (one hand-written sentence a line: wrapping would split them)
"""Hand-written sentences the training set is composed from: English (training_texts.py has
the format). The receiving company is Tidewater, a field-service scheduling product."""

EN = {
    "greet": "Hi,|Hello,|Hi there,|Good morning,|Dear Tidewater team,|Hello team,|Hey,|Dear Sir or Madam,",
    "sign": "Thanks,|Best regards,|Kind regards,|Cheers,|Regards,|Thank you,|Best,|Many thanks,",
    "intro": """We are {company}, a maintenance contractor in {city} with {employees} employees.
I run operations at {company}; we have {seats} technicians on the road.
{company} installs and services heating systems across {city}.
I'm the {role} at {company} ({employees} staff).
We are a small family business with {seats} engineers.
Our company, {company}, looks after about 3,000 commercial buildings.""",
    "sales_inquiry": """S: Question about Tidewater|Is Tidewater right for us?|A few questions before we decide|Evaluating scheduling software|Checking if you support {tool}
Does Tidewater support recurring maintenance contracts with visits every six months?
Can technicians close jobs offline when there is no signal on site?
We are looking for a replacement for {tool} and your product came up.
Is there a native integration with {tool}, or would we use your API?
Do you offer SAML single sign-on and EU data hosting?
Could you tell me whether the mobile app works on older Android phones?
We would like to start a trial before we commit to anything.
We're comparing three tools and want to know how Tidewater handles emergency call-outs.
Can the customer portal run under our own domain and logo?
Would your route planning work for crews that stay on one site for several days?
Is it possible to import our job history when we switch?
We need to roll this out to {seats} technicians this quarter; is that realistic?""",
    "demo_request": """S: Demo request|Can we book a demo?|Walkthrough for our team|Product demo next week?|Live demo for {company}
Could we book a demo of Tidewater next week?
I'd like a 30-minute walkthrough of the dispatch board with our operations lead.
Can someone show us the technician app on a video call?
Please send a few slots for a product demonstration with our management team.
Would Tuesday or Thursday afternoon work for a live demo?
We've shortlisted you and want to see the route optimisation in action.
Is there someone available for a screen share so we can see the scheduling screens?
Our IT team would like a demo of the admin settings, roles and audit log.
We attended your webinar and would like a proper demo for our directors.
I'd love to see how the platform works before we decide; can we set up a call to see it?""",
    "pricing_request": """S: Pricing|How much does it cost?|Quote request|Price for {seats} users|Pricing for {company}
What would Tidewater cost for {seats} technicians and three office users?
Please send us a formal quote for a three-year agreement.
Is there a volume discount if we roll out to more than 100 engineers?
How much is it per technician per month, and is onboarding included?
Could you share the price list for the Enterprise plan?
Our budget is around {budget} a year; what would that buy us?
Do you offer nonprofit pricing for a charity?
We need a quotation by Friday for our board meeting.
What is the difference in price between monthly and annual billing?
Can you send pricing so I can compare it with what we pay {tool} today?""",
    "support": """S: Problem with the app|Login issue|Help needed|Ticket {ticket}|Error in the dispatch board
Since this morning our technicians get "session expired" right after logging in.
The sync from the tablets has stopped and completed jobs are not showing up.
Our card was charged twice for invoice {ticket}; please refund the duplicate.
How do I export completed jobs to a CSV file for our accountant?
The API returns HTTP 500 on POST /v2/jobs since last night.
The customer signature is missing from the PDF job report after the update.
How do I make another user an admin on our account?
Please cancel our subscription at the end of the month and tell me how to download our data.
The route optimiser ignores the lunch breaks set in the technician profiles.
I reset my password twice and still cannot sign in to the planner.
Our invoice shows the wrong VAT number; can you reissue it?
Photos taken in the app are not attached to the work orders any more.""",
    "partnership": """S: Partnership proposal|Integration partnership|Reseller programme|Working together|Referral partnership
We make inventory software for trade businesses and would like to build an integration with Tidewater.
We are a consultancy and would like to become a Tidewater reseller in the Nordics.
Would you be open to co-marketing a joint webinar for our 5,000 members?
Do you have a referral programme for accounting firms that recommend you to clients?
We would like to distribute your product in Latin America; who can we talk to?
Our platform has 2,000 customers who also use Tidewater; let's discuss a technology partnership.
We are an implementation partner for field service systems and want to add your product to our portfolio.
Could we list Tidewater in our app marketplace and share revenue on referrals?""",
    "job_application": """S: Application|Job application: Customer Success Manager|Open application|Internship request|Candidates for your opening
I'm applying for the Customer Success Manager position posted on LinkedIn; my CV is attached.
I'm a backend engineer with six years of Python experience and would like to join your team.
I am a student looking for a summer internship in software development.
Please find attached my resume and cover letter for the Sales Engineer role.
I'm a recruiter with three pre-screened candidates for your open support role; our fee is 18%.
I would like to apply for any open position in your support team.
I saw your careers page and believe my experience in field service makes me a good fit.
Our staffing agency can fill your developer vacancies within two weeks.""",
    "vendor_pitch": """S: Quick question|Grow your pipeline|Partnership opportunity for {first}|Your website|Following up
I noticed Tidewater isn't ranking on page one for "field service software"; we can fix that.
We have a verified list of 48,000 facility managers with 95% deliverability.
We are an offshore development company with 350 engineers ready to extend your team.
Worth a quick 15-minute call this week to discuss how we help SaaS companies grow?
Our agency books qualified sales meetings for software vendors; you only pay per meeting.
I ran your site through our audit tool and found 14 accessibility issues we could fix.
Companies like yours overspend on cloud hosting by 30%; we work on a success fee.
Just bumping this to the top of your inbox in case you missed my last email.
We produce video testimonials that increase demo bookings by a third.
Would you like to sponsor our podcast? The package starts at $2,500.""",
    "spam": """S: Congratulations!|You have won|Your mailbox is full|Urgent: account suspended|Investment opportunity|Invoice overdue
Your email address was selected in our annual lottery and you have won $850,000.
Your mailbox has exceeded its storage limit; click here to verify your account.
Our crypto trading bot returns 300% in 30 days with a minimum deposit of $250.
Please open the attached overdue invoice within 24 hours to avoid legal action.
I am a bank manager with a confidential proposal to transfer $14.5 million.
Your account has been suspended; confirm your password at the link below.
Genuine software licences at 90% off with instant delivery.
Dear beneficiary, you have an unclaimed inheritance waiting for you.
Your parcel could not be delivered; pay the customs fee of $1.99 here.
Hot singles in your area are waiting to meet you.""",
    "auto_reply": """S: Out of office|Automatic reply|Delivery Status Notification (Failure)|Your invoice is ready|Weekly digest|We received your request
I am out of the office until Monday with limited access to email.
Thank you for your message; I am on annual leave and will reply when I return.
This is an automated response confirming we have received your request; ticket number {ticket}.
Your message could not be delivered to one or more recipients: mailbox unavailable.
Your monthly invoice {ticket} is now available in your account; this is an automated notification.
This week in field service: five dispatch tips and a customer story. Unsubscribe at any time.
You are receiving this newsletter because you signed up on our website.
Reminder: your meeting "Quarterly review" starts in 15 minutes.
Your password was changed successfully. If this wasn't you, contact your administrator.
New sign-in to your account from Chrome on Windows.""",
    "other": """S: Press inquiry|Survey request|Thank you|Question|Invitation
I'm a journalist writing about how contractors adopt software; could someone comment by Friday?
I'm researching digitalisation in field service for my master's thesis; would you answer ten questions?
I think I got your emails by mistake; please remove me from your list.
Just wanted to thank Sam from your team for a great chat at the trade fair.
We'd like to invite you to our stand at the trade show in March.
Can you tell me where your office is? I found a lost badge with your logo.
Is this the right address to send a complaint about one of your vans' driving?
We're organising a charity run and wonder if Tidewater would like to take part.""",
}
