"""What the senders of the labelled set write: hand-written subjects and bodies per category.

The receiving company is Tidewater, a field-service scheduling product (dispatch board,
technician app, route planning, customer portal). Slots filled by generate.py: {first} {last}
(the sender), {company}, {seats}, {employees}, {month}, {budget}, {tool} (a product they use
now), {city}, {ticket}, {role}. Every entry is (language, subject, body).
"""

SALES_INQUIRY = [
    (
        "en",
        "Question about Tidewater for our service team",
        "Hi,\n\nWe run {company}, an HVAC installer in {city} with about {employees} people, "
        "{seats} of them technicians in vans. Right now dispatch is a whiteboard and a shared "
        "spreadsheet.\n\nDoes Tidewater handle recurring maintenance contracts, where the same "
        "customer needs a visit every six months? And can technicians close a job offline when "
        "they have no signal in a basement?\n\nThanks,\n{first} {last}\nOperations Manager",
    ),
    (
        "en",
        "Does Tidewater integrate with {tool}?",
        "Hello Tidewater team,\n\nWe are evaluating scheduling tools for {company}. Our CRM is "
        "{tool} and whatever we pick has to sync customers and work orders both ways, otherwise "
        "the office will keep typing things twice.\n\nIs there a native integration or would we go "
        "through your API? We have {seats} field staff.\n\nBest regards,\n{first}",
    ),
    (
        "en",
        "SSO and data residency",
        "Hi there,\n\nI'm the IT lead at {company} ({employees} employees). Before our operations "
        "director gets attached to your product I need to know two things:\n\n1. Do you support "
        "SAML SSO with Azure AD / Entra ID?\n2. Where is customer data hosted, and can we keep it "
        "in the EU?\n\nA link to your security documentation would be enough for a start.\n\n"
        "{first} {last}\nIT Lead, {company}",
    ),
    (
        "en",
        "Moving off {tool}",
        "Hey,\n\nOur contract with {tool} ends in {month} and nobody here will miss it. We are "
        "{seats} technicians and 4 dispatchers at {company}. What does a migration to Tidewater "
        "look like, and can you import our job history?\n\nCheers,\n{first}",
    ),
    (
        "en",
        "Trial account for a plumbing business",
        "Good morning,\n\nI own a small plumbing business ({seats} plumbers, me included). Saw "
        "your ad on a trade forum. Is there a trial I can try before committing? I'm not very "
        "technical, so I'd like to know if setup is something I can do on a Sunday afternoon.\n\n"
        "{first} {last}\n{company}",
    ),
    (
        "en",
        "Route planning for multi-day jobs",
        "Hello,\n\n{company} installs solar panels across the region. Jobs often take two or "
        "three days with the same crew. Can Tidewater plan multi-day jobs and still optimise "
        "travel for the crews in between? We're {employees} staff in total.\n\nKind regards,\n"
        "{first} {last}\nHead of Installations",
    ),
    (
        "en",
        "Is Tidewater a fit for elevator maintenance?",
        "Hi,\n\nWe service elevators under strict regulatory inspection intervals. I'd need "
        "certificates attached to each visit and an audit trail that can't be edited afterwards. "
        "Is that something customers use Tidewater for? We have around {seats} engineers in the "
        "field.\n\nRegards,\n{first} {last}, {company}",
    ),
    (
        "en",
        "Customer portal - white label?",
        "Hi team,\n\nQuick question: can the customer portal run on our own domain with our logo? "
        "Our clients are property managers and they shouldn't see a third-party brand. {company}, "
        "{seats} technicians, looking to decide this quarter.\n\nThanks\n{first}",
    ),
    (
        "de",
        "Frage zu Ihrer Einsatzplanung",
        "Guten Tag,\n\nwir sind {company} aus {city}, ein Elektrobetrieb mit {employees} "
        "Mitarbeitern, davon {seats} Monteure. Derzeit planen wir die Einsätze mit Outlook-"
        "Kalendern.\n\nKann Tidewater Arbeitsberichte mit Unterschrift des Kunden auf dem Tablet "
        "erfassen? Und gibt es eine Schnittstelle zu DATEV?\n\nMit freundlichen Grüßen\n"
        "{first} {last}",
    ),
    (
        "de",
        "Datenschutz und Serverstandort",
        "Hallo,\n\nbevor wir weiter über Tidewater sprechen: Wo stehen Ihre Server, und bieten "
        "Sie einen AV-Vertrag nach Art. 28 DSGVO an? Wir sind ein Wartungsdienstleister mit "
        "{employees} Beschäftigten.\n\nViele Grüße\n{first} {last}\n{company}",
    ),
    (
        "fr",
        "Question sur votre logiciel de planification",
        "Bonjour,\n\nJe dirige {company}, une entreprise de maintenance de chaudières à {city} "
        "({seats} techniciens). Nous cherchons un outil pour planifier les interventions et "
        "envoyer les rapports au client directement après la visite.\n\nEst-ce que Tidewater "
        "fonctionne en français pour les techniciens ?\n\nCordialement,\n{first} {last}",
    ),
    (
        "fr",
        "Intégration avec notre ERP",
        "Bonjour à l'équipe,\n\nNous utilisons {tool} et nous aimerions savoir si Tidewater peut "
        "récupérer automatiquement les contrats de maintenance. Nous sommes {employees} "
        "salariés.\n\nMerci d'avance,\n{first}",
    ),
    (
        "es",
        "Consulta sobre Tidewater",
        "Hola,\n\nSomos {company}, una empresa de climatización en {city} con {seats} técnicos. "
        "Queremos dejar de planificar las visitas por WhatsApp. ¿La app para técnicos funciona "
        "sin conexión? ¿Está disponible en español?\n\nUn saludo,\n{first} {last}",
    ),
    (
        "es",
        "¿Se puede integrar con {tool}?",
        "Buenos días,\n\nEstamos valorando herramientas de planificación para {company}. "
        "Usamos {tool} para facturar. ¿Tienen integración o API?\n\nGracias,\n{first} {last}",
    ),
    (
        "it",
        "Informazioni sul vostro software",
        "Buongiorno,\n\nsiamo {company}, installiamo impianti di allarme a {city} con {seats} "
        "tecnici. Il vostro sistema gestisce anche i contratti di manutenzione annuali?\n\n"
        "Cordiali saluti,\n{first} {last}",
    ),
]

DEMO_REQUEST = [
    (
        "en",
        "Demo request",
        "Hi,\n\nCould we book a demo of Tidewater next week? I'd like to bring our dispatch lead "
        "and our COO. We're {company}, {employees} employees, {seats} field technicians.\n\n"
        "Tuesday or Thursday afternoon works best.\n\nThanks,\n{first} {last}",
    ),
    (
        "en",
        "Walkthrough for our ops team?",
        "Hello,\n\nWe have shortlisted Tidewater and one other vendor. Is someone available for a "
        "30-minute walkthrough focused on the dispatch board and route optimisation? We'd want "
        "to see how it handles emergency call-outs that bump planned jobs.\n\nBest,\n{first} "
        "{last}\n{role}, {company}",
    ),
    (
        "en",
        "Can we see the technician app?",
        "Hi Tidewater,\n\nOur technicians are the ones who'll decide if this works. Could you show "
        "us the mobile app on a call - forms, photos, signatures, parts used? {seats} techs, "
        "mostly Android.\n\nCheers,\n{first}\n{company}",
    ),
    (
        "en",
        "Demo for {company} - {seats} engineers",
        "Good afternoon,\n\nFollowing the webinar last Thursday, I'd like to arrange a proper demo "
        "for our leadership team. We are rolling out a new scheduling system in {month} and "
        "Tidewater is on the shortlist. Please send a few slots.\n\nKind regards,\n{first} {last}\n"
        "{role}",
    ),
    (
        "en",
        "quick call to see the product?",
        "hey - saw tidewater on a reddit thread about field service tools. we're a 6-person "
        "garage door repair outfit. any chance of a quick screen share so I can see if it's "
        "overkill for us?\n\n{first}",
    ),
    (
        "en",
        "Live demo with our IT security team",
        "Hello,\n\n{company} ({employees} staff across 9 depots) is replacing {tool}. We need a "
        "demo that covers the admin side: roles and permissions, SSO, audit log and data export. "
        "Our IT security team will join. Our decision is due by the end of {month}.\n\nRegards,\n"
        "{first} {last}\nProcurement",
    ),
    (
        "en",
        "Request: product demonstration",
        "Dear Sir or Madam,\n\nI would like to request a demonstration of your field service "
        "software for our facilities management division ({seats} technicians). Please contact me "
        "to arrange a suitable time.\n\nYours faithfully,\n{first} {last}\n{company}",
    ),
    (
        "de",
        "Terminanfrage Produktvorführung",
        "Guten Tag,\n\nwir würden uns Tidewater gerne in einer Online-Präsentation ansehen. "
        "Teilnehmen würden unser Geschäftsführer und die Disposition. Wir haben {seats} "
        "Servicetechniker im Außendienst.\n\nPasst Ihnen ein Termin in der nächsten Woche?\n\n"
        "Freundliche Grüße\n{first} {last}\n{company}",
    ),
    (
        "de",
        "Demo gewünscht",
        "Hallo zusammen,\n\nkönnten Sie uns die Tourenplanung einmal live zeigen? Wir sind ein "
        "Sanitärbetrieb in {city} und wollen im {month} umstellen.\n\nGruß\n{first}",
    ),
    (
        "fr",
        "Demande de démonstration",
        "Bonjour,\n\nNous souhaiterions organiser une démonstration de Tidewater avec notre "
        "responsable d'exploitation. {company} compte {employees} salariés et {seats} "
        "techniciens itinérants.\n\nQuelles sont vos disponibilités la semaine prochaine ?\n\n"
        "Bien à vous,\n{first} {last}",
    ),
    (
        "fr",
        "Présentation de l'application mobile",
        "Bonjour,\n\nPourriez-vous nous présenter l'application pour les techniciens en visio ? "
        "Nous voulons voir la saisie des pièces détachées et la signature client.\n\nMerci,\n"
        "{first} {last}, {company}",
    ),
    (
        "es",
        "Solicitud de demo",
        "Hola,\n\nNos gustaría ver una demo de Tidewater. Somos {company}, con {seats} técnicos "
        "de mantenimiento en {city}. ¿Podrían proponernos un horario?\n\nSaludos cordiales,\n"
        "{first} {last}",
    ),
    (
        "es",
        "Demostración para nuestro equipo",
        "Buenas tardes,\n\nQueremos cambiar de {tool} antes de {month}. ¿Podemos agendar una "
        "demostración con el equipo de operaciones?\n\nGracias,\n{first}",
    ),
    (
        "nl",
        "Demo aanvraag",
        "Goedemiddag,\n\nWij zijn {company}, een installatiebedrijf met {seats} monteurs. Graag "
        "plannen we een online demo van Tidewater in.\n\nMet vriendelijke groet,\n{first} {last}",
    ),
]

PRICING_REQUEST = [
    (
        "en",
        "Pricing for {seats} technicians",
        "Hi,\n\nWhat would Tidewater cost for {seats} technicians and 3 office users? Monthly vs "
        "annual billing, and is onboarding included?\n\nThanks,\n{first} {last}\n{company}",
    ),
    (
        "en",
        "Quote request - {company}",
        "Hello,\n\nPlease send a formal quote for a 3-year agreement covering {seats} field "
        "licences, the route optimisation add-on and premium support. Our budget for this "
        "project is {budget}. We need the quote by the end of next week for our board meeting."
        "\n\nRegards,\n{first} {last}\nHead of Procurement, {company}",
    ),
    (
        "en",
        "how much?",
        "how much is it for 3 guys? website doesnt say\n\n{first}\nSent from my iPhone",
    ),
    (
        "en",
        "Volume discount for {seats}+ users",
        "Hi Tidewater sales,\n\nWe're a national facilities contractor ({employees} employees). "
        "If we roll out to {seats} engineers, what volume discount applies? We'd also want a "
        "price lock for three years.\n\nBest regards,\n{first} {last}\n{role}",
    ),
    (
        "en",
        "Nonprofit pricing?",
        "Hello,\n\nWe're a charity that repairs heating for elderly people on low incomes, with "
        "{seats} volunteer and staff technicians. Do you offer nonprofit pricing?\n\nWarmly,\n"
        "{first} {last}\n{company}",
    ),
    (
        "en",
        "Price comparison with {tool}",
        "Hi,\n\nWe pay {tool} around {budget} a year today. Can you tell me roughly what "
        "Tidewater would cost for the same team ({seats} technicians), so I can decide whether "
        "it's worth a deeper look?\n\nCheers,\n{first}",
    ),
    (
        "en",
        "Pricing for the enterprise plan",
        "Hello,\n\nCould you share pricing for the Enterprise plan including SSO, sandbox and a "
        "99.9% SLA? We'd start with {seats} users in the UK and expand to Ireland.\n\nKind "
        "regards,\n{first} {last}\n{company}",
    ),
    (
        "de",
        "Angebot für {seats} Lizenzen",
        "Sehr geehrte Damen und Herren,\n\nbitte senden Sie uns ein Angebot für {seats} "
        "Lizenzen inklusive Einrichtung und Schulung. Wir sind {company} mit {employees} "
        "Mitarbeitern. Ein Start im {month} wäre ideal.\n\nMit freundlichen Grüßen\n{first} "
        "{last}\nEinkauf",
    ),
    (
        "de",
        "Preise?",
        "Hallo,\n\nwas kostet Tidewater für einen kleinen Betrieb mit 4 Technikern? Gibt es "
        "Rabatt bei jährlicher Zahlung?\n\nDanke und Gruß\n{first}",
    ),
    (
        "fr",
        "Demande de devis",
        "Bonjour,\n\nPouvez-vous nous faire parvenir un devis pour {seats} utilisateurs terrain "
        "et 2 planificateurs ? Nous avons un budget d'environ {budget} par an.\n\nCordialement,"
        "\n{first} {last}\n{company}",
    ),
    (
        "fr",
        "Tarifs pour une PME",
        "Bonjour,\n\nQuels sont vos tarifs pour une PME de {employees} personnes ? Y a-t-il des "
        "frais de mise en service ?\n\nMerci,\n{first}",
    ),
    (
        "es",
        "Solicitud de presupuesto",
        "Hola,\n\nNecesitamos precios para {seats} usuarios y una demo en {month}. Somos una "
        "empresa de mantenimiento con {employees} empleados.\n\nUn saludo,\n{first} {last}\n"
        "{company}",
    ),
    (
        "es",
        "Precio por técnico",
        "Buenos días,\n\n¿Cuál es el precio por técnico al mes? ¿Hay descuento para más de 50?"
        "\n\nGracias,\n{first}",
    ),
    (
        "pt",
        "Pedido de orçamento",
        "Olá,\n\nGostaríamos de receber um orçamento para {seats} técnicos. Somos a {company}, "
        "em {city}.\n\nCumprimentos,\n{first} {last}",
    ),
]

SUPPORT = [
    (
        "en",
        "Can't log in to the technician app",
        "Hi support,\n\nSince this morning two of our techs get 'session expired' right after "
        "logging in on Android. Account: {company}. We reinstalled the app, same thing.\n\n"
        "Please help, they can't see today's jobs.\n\n{first} {last}",
    ),
    (
        "en",
        "Invoice {ticket} charged twice",
        "Hello,\n\nOur card was charged twice for invoice {ticket} this month. Can you refund "
        "the duplicate? Account owner is me.\n\nThanks,\n{first} {last}\n{company}",
    ),
    (
        "en",
        "How do I export completed jobs to CSV?",
        "Hi,\n\nI need to send our accountant a list of all completed jobs in October with "
        "labour hours. Where is the export? I can only find PDF reports.\n\n{first}",
    ),
    (
        "en",
        "API returns 500 on /jobs",
        "Hi team,\n\nOur integration started failing last night. POST /v2/jobs returns HTTP 500 "
        "with request id {ticket}. Nothing changed on our side. This blocks our booking form, "
        "so it's fairly urgent.\n\nRegards,\n{first} {last}\nDeveloper, {company}",
    ),
    (
        "en",
        "Re: Ticket {ticket} - route optimisation ignores breaks",
        "Hello again,\n\nThe fix you suggested didn't help: the optimiser still plans jobs over "
        "the lunch break we set in the technician profile. Screenshot attached in the portal.\n\n"
        "{first}",
    ),
    (
        "en",
        "Add a new admin user",
        "Hi,\n\nOur office manager left. How do I make someone else an admin? I'm the account "
        "owner at {company} but the settings page says I lack permission.\n\nCheers,\n{first}",
    ),
    (
        "en",
        "Signature field missing from PDF report",
        "Hello Tidewater support,\n\nSince the last app update the customer signature no longer "
        "shows on the job report PDF. It's there in the app. Our customers need it for warranty "
        "claims.\n\nThanks,\n{first} {last}",
    ),
    (
        "en",
        "Cancel our subscription",
        "Hi,\n\nWe're closing the business at the end of the month. Please cancel our "
        "subscription and tell me how to download our data first.\n\n{first} {last}\n{company}",
    ),
    (
        "de",
        "Problem mit der Synchronisation",
        "Hallo Support,\n\nseit gestern werden erledigte Aufträge nicht mehr vom Tablet "
        "übertragen. Die App zeigt 'Synchronisierung ausstehend'. Kundennummer {ticket}.\n\n"
        "Bitte um schnelle Hilfe.\n{first} {last}",
    ),
    (
        "de",
        "Rechnungsadresse ändern",
        "Guten Tag,\n\nwir sind umgezogen. Wie ändern wir die Rechnungsadresse in unserem "
        "Konto?\n\nGruß\n{first} {last}\n{company}",
    ),
    (
        "fr",
        "Problème de connexion",
        "Bonjour,\n\nImpossible de me connecter au tableau de planification depuis ce matin, le "
        "mot de passe est refusé alors qu'il est correct. Compte : {company}.\n\nMerci de votre "
        "aide,\n{first}",
    ),
    (
        "fr",
        "Facture {ticket}",
        "Bonjour,\n\nLa facture {ticket} ne mentionne pas notre numéro de TVA. Pouvez-vous en "
        "émettre une nouvelle ?\n\nCordialement,\n{first} {last}",
    ),
    (
        "es",
        "Error al sincronizar",
        "Hola,\n\nLa aplicación de los técnicos no sincroniza las fotos de los trabajos desde "
        "ayer. ¿Hay alguna incidencia?\n\nGracias,\n{first} {last}\n{company}",
    ),
    (
        "es",
        "Cambiar el plan",
        "Buenos días,\n\n¿Cómo pasamos del plan Básico al Profesional? No encuentro la opción "
        "en la configuración.\n\nSaludos,\n{first}",
    ),
]

VENDOR_PITCH = [
    (
        "en",
        "Quick question, {first}",
        "Hi,\n\nI noticed Tidewater isn't ranking on page one for 'field service software'. "
        "We've helped 200+ SaaS companies triple organic traffic in 90 days.\n\nWorth a quick "
        "15-minute call this week?\n\n{first} {last}\nGrowth Lead, {company}",
    ),
    (
        "en",
        "Verified contact list: 48,000 facility managers",
        "Hello,\n\nWe have a verified list of 48,000 facility and maintenance managers in North "
        "America and Europe, 95% deliverability guaranteed. Sample of 100 contacts free.\n\n"
        "Interested?\n\n{first}\n{company}",
    ),
    (
        "en",
        "Dedicated Python developers from $18/hour",
        "Dear Tidewater team,\n\nWe are an offshore development company with 350 engineers. We "
        "can extend your team with senior Django and React developers within a week.\n\nCan I "
        "send our portfolio?\n\nBest regards,\n{first} {last}\nBusiness Development Manager",
    ),
    (
        "en",
        "Following up on my last email",
        "Hi,\n\nJust bumping this to the top of your inbox. Did you get a chance to look at my "
        "note about video testimonials? Our clients see 34% more demo bookings.\n\n{first}\n"
        "{company}",
    ),
    (
        "en",
        "Guest on our podcast? (sponsored)",
        "Hey there,\n\nWe'd love to feature Tidewater's founder on The Field Ops Show. Episodes "
        "reach 12k trade business owners. The sponsored interview package is $2,500.\n\nLet me "
        "know!\n{first}",
    ),
    (
        "en",
        "Your website is losing you customers",
        "Hello,\n\nI ran your site through our audit tool: 3.8s load time, 14 accessibility "
        "issues, no schema markup. We can redesign it in 3 weeks for a fixed price.\n\nShall I "
        "send the full report?\n\n{first} {last}, {company}",
    ),
    (
        "en",
        "Cut your cloud bill by 40%",
        "Hi,\n\nCompanies like yours overspend on AWS by 30-40%. Our FinOps team works on a "
        "pure success fee. Open to a 20-minute call?\n\nThanks,\n{first} {last}",
    ),
    (
        "de",
        "Ihre Google-Bewertungen",
        "Guten Tag,\n\nwir helfen Softwarefirmen, mehr positive Bewertungen zu sammeln. Darf ich "
        "Ihnen unser Angebot in 10 Minuten vorstellen?\n\nBeste Grüße\n{first} {last}\n"
        "{company}",
    ),
    (
        "fr",
        "Prospection B2B clé en main",
        "Bonjour,\n\nNous générons des rendez-vous qualifiés pour les éditeurs de logiciels. "
        "Paiement au rendez-vous. Un échange de 15 minutes cette semaine ?\n\n{first} {last}",
    ),
    (
        "es",
        "Servicios de marketing digital",
        "Hola,\n\nSomos una agencia de marketing digital especializada en SaaS. ¿Le interesaría "
        "una auditoría gratuita de sus campañas?\n\nSaludos,\n{first}\n{company}",
    ),
]

JOB_APPLICATION = [
    (
        "en",
        "Application: Customer Success Manager",
        "Dear Hiring Team,\n\nI'm applying for the Customer Success Manager role posted on "
        "LinkedIn. I spent four years onboarding field service companies at {tool} and know the "
        "problems your customers have.\n\nMy CV is attached. I'd welcome a conversation.\n\n"
        "Kind regards,\n{first} {last}",
    ),
    (
        "en",
        "Backend engineer - open application",
        "Hi,\n\nI'm a backend engineer (Python, PostgreSQL, 6 years) and I like what you're "
        "building. I couldn't find an open role that fits, so this is an open application. CV "
        "attached, GitHub in the signature.\n\nBest,\n{first} {last}",
    ),
    (
        "en",
        "Internship summer {month}",
        "Hello,\n\nI'm a computer science student in {city} looking for a summer internship. I "
        "have built a small scheduling app for my uncle's plumbing company. Would Tidewater "
        "consider an intern?\n\nThank you,\n{first} {last}",
    ),
    (
        "en",
        "Candidates for your Sales Engineer opening",
        "Hi,\n\nI'm a recruiter at {company}. I have three pre-screened Sales Engineer candidates "
        "with field service SaaS experience. Our fee is 18% of first-year salary.\n\nShall I send "
        "the profiles?\n\n{first} {last}",
    ),
    (
        "de",
        "Bewerbung als Vertriebsmitarbeiter",
        "Sehr geehrte Damen und Herren,\n\nhiermit bewerbe ich mich auf die ausgeschriebene "
        "Stelle im Vertrieb (DACH). Meinen Lebenslauf finden Sie im Anhang.\n\nMit freundlichen "
        "Grüßen\n{first} {last}",
    ),
    (
        "fr",
        "Candidature spontanée",
        "Bonjour,\n\nJe me permets de vous adresser ma candidature spontanée pour un poste de "
        "chargé de support client. Vous trouverez mon CV en pièce jointe.\n\nCordialement,\n"
        "{first} {last}",
    ),
    (
        "es",
        "Candidatura para desarrollador frontend",
        "Hola,\n\nMe gustaría presentar mi candidatura para el puesto de desarrollador frontend. "
        "Adjunto mi CV.\n\nUn saludo,\n{first} {last}",
    ),
]

PARTNERSHIP = [
    (
        "en",
        "Integration partnership: {company} + Tidewater",
        "Hi,\n\nI lead partnerships at {company}. We make inventory software for trade "
        "businesses and many of our 2,000 customers also use Tidewater. Would you be open to "
        "building a native integration together and co-marketing it?\n\nBest,\n{first} {last}",
    ),
    (
        "en",
        "Reseller in the Nordics",
        "Hello,\n\nWe are a consultancy that implements field service systems in Sweden, Norway "
        "and Denmark. We'd like to become a Tidewater reseller. What does your partner programme "
        "look like?\n\nRegards,\n{first} {last}\n{company}",
    ),
    (
        "en",
        "Co-hosted webinar for HVAC contractors?",
        "Hi Tidewater team,\n\nOur association runs monthly webinars for 5,000 HVAC contractors. "
        "Would you like to co-host one on digital dispatching? No fee either way.\n\n{first}\n"
        "{company}",
    ),
    (
        "en",
        "Referral agreement",
        "Hi,\n\nWe're an accounting firm serving 300 trade businesses. We often get asked for a "
        "scheduling tool recommendation. Do you have a referral programme?\n\nThanks,\n{first} "
        "{last}",
    ),
    (
        "de",
        "Partnerschaft für den DACH-Markt",
        "Guten Tag,\n\nwir sind ein Systemhaus mit Schwerpunkt Handwerkssoftware und würden "
        "Tidewater gerne in Deutschland und Österreich vertreiben. Gibt es ein Partnerprogramm?"
        "\n\nViele Grüße\n{first} {last}\n{company}",
    ),
    (
        "fr",
        "Proposition de partenariat",
        "Bonjour,\n\nNous éditons un logiciel de facturation pour artisans et aimerions proposer "
        "une intégration avec Tidewater à nos clients. Pouvons-nous en discuter ?\n\n{first} "
        "{last}, {company}",
    ),
    (
        "es",
        "Acuerdo de distribución en LATAM",
        "Hola,\n\nSomos integradores de software en México y Colombia. Nos interesa distribuir "
        "Tidewater en la región. ¿Con quién podemos hablar?\n\nSaludos,\n{first} {last}",
    ),
]

SPAM = [
    (
        "en",
        "Congratulations! You have been selected",
        "Dear Winner,\n\nYour email address was selected in our annual online lottery. You have "
        "won $850,000.00 USD. To claim, reply with your full name, address and phone number.\n\n"
        "Mr. {first} {last}\nClaims Department",
    ),
    (
        "en",
        "Your mailbox is almost full",
        "Your mailbox has exceeded its storage limit. You may not be able to receive new "
        "messages.\n\nClick here to increase your quota: http://mail-quota-upgrade.example/verify"
        "\n\nIT Service Desk",
    ),
    (
        "en",
        "Investment opportunity 300% return",
        "Hello friend,\n\nOur automated crypto arbitrage bot returns 300% in 30 days. Minimum "
        "deposit only $250. Spots are limited!!!\n\nJoin now: http://bit.example/crypto-bot",
    ),
    (
        "en",
        "Invoice overdue - action required",
        "Please find your overdue invoice attached. Payment must be made within 24 hours to "
        "avoid legal action.\n\nOpen invoice: http://docs-share.example/invoice.html",
    ),
    (
        "en",
        "Business proposal",
        "Dear Sir,\n\nI am {first} {last}, a bank manager. I have a confidential business "
        "proposal concerning the transfer of $14.5 million from a dormant account. Your share "
        "will be 40%.\n\nReply for details.",
    ),
    (
        "en",
        "Re: your order",
        "see attached shipping doc\n\nhttp://shipping-docs.example/track?id=8812",
    ),
    (
        "en",
        "Cheap software licences",
        "Windows, Office, Adobe - genuine licences up to 90% off. Instant delivery.\n\n"
        "www.cheap-keys.example",
    ),
    (
        "de",
        "Ihr Konto wurde gesperrt",
        "Sehr geehrter Kunde,\n\nIhr Konto wurde aus Sicherheitsgründen gesperrt. Bitte "
        "bestätigen Sie Ihre Daten innerhalb von 24 Stunden:\nhttp://konto-sicherheit.example/"
        "login",
    ),
    (
        "fr",
        "Vous avez gagné un iPhone",
        "Félicitations ! Vous êtes le gagnant de notre tirage au sort. Cliquez ici pour "
        "réclamer votre iPhone 17 : http://cadeau.example/iphone",
    ),
    (
        "es",
        "Oportunidad de inversión",
        "Hola,\n\nGana 5.000 euros a la semana desde casa con nuestro sistema. Plazas "
        "limitadas.\n\nhttp://ganar-dinero.example",
    ),
]

OTHER = [
    (
        "en",
        "Press inquiry: field service trends",
        "Hi,\n\nI'm a journalist at Trade Tech Weekly writing about how small contractors adopt "
        "scheduling software. Could someone from Tidewater comment by Friday?\n\nThanks,\n"
        "{first} {last}",
    ),
    (
        "en",
        "Survey for my master's thesis",
        "Hello,\n\nI'm researching digitalisation in field service companies for my master's "
        "thesis at the University of {city}. Would someone at Tidewater answer 10 questions?\n\n"
        "Kind regards,\n{first} {last}",
    ),
    (
        "en",
        "Wrong email?",
        "Hi, I think I got your newsletter by mistake, I never signed up. Please remove me.\n\n"
        "{first}",
    ),
    (
        "en",
        "Thank you!",
        "Just wanted to say thanks to Sam from your team who helped us at the trade fair last "
        "week. Great conversation even though we're not looking for software right now.\n\n"
        "{first} {last}",
    ),
    (
        "de",
        "Einladung zur Messe",
        "Hallo,\n\nwir möchten Sie auf unseren Stand auf der SHK Essen einladen, Halle 3. "
        "Freikarten gibt es bei mir.\n\nGruß\n{first} {last}",
    ),
    (
        "fr",
        "Question d'un étudiant",
        "Bonjour,\n\nJe suis étudiant et je prépare un exposé sur les logiciels de "
        "planification. Avez-vous des chiffres publics sur vos utilisateurs ?\n\nMerci,\n"
        "{first}",
    ),
]

# Automatic mail: (language, subject, body, kind). Kinds decide the headers generate.py adds.
OUT_OF_OFFICE = [
    (
        "en",
        "Out of Office: {orig}",
        "Thank you for your email. I am out of the office until {month} 14 with limited access "
        "to email. For urgent matters please contact office@{domain}.\n\n{first} {last}",
    ),
    (
        "en",
        "Automatic reply: {orig}",
        "I'm currently on annual leave and will respond when I'm back. If your request is "
        "urgent, please call our front desk.\n\nBest regards,\n{first}",
    ),
    (
        "en",
        "Away until Monday",
        "Hi, I'm at a customer site all week and checking mail only in the evening.\n{first}",
    ),
    (
        "de",
        "Abwesenheitsnotiz: {orig}",
        "Vielen Dank für Ihre Nachricht. Ich bin bis einschließlich 28. {month} nicht im Büro "
        "und habe keinen Zugriff auf meine E-Mails. In dringenden Fällen wenden Sie sich bitte "
        "an zentrale@{domain}.\n\nMit freundlichen Grüßen\n{first} {last}",
    ),
    (
        "de",
        "Automatische Antwort: {orig}",
        "Ich bin derzeit im Urlaub. Ihre E-Mail wird nicht weitergeleitet.\n\n{first} {last}",
    ),
    (
        "fr",
        "Réponse automatique : {orig}",
        "Bonjour,\n\nJe suis absent(e) du bureau jusqu'au 3 {month}. Pour toute urgence, merci "
        "de contacter accueil@{domain}.\n\nCordialement,\n{first} {last}",
    ),
    (
        "fr",
        "Absence du bureau",
        "Je suis en congés et je reviendrai lundi. Votre message ne sera pas transféré.\n{first}",
    ),
    (
        "es",
        "Respuesta automática: {orig}",
        "Gracias por su mensaje. Estoy fuera de la oficina hasta el día 10 con acceso limitado "
        "al correo.\n\nSaludos,\n{first} {last}",
    ),
    (
        "es",
        "Fuera de la oficina",
        "Estoy de vacaciones. Para temas urgentes escriba a soporte@{domain}.\n{first}",
    ),
    (
        "it",
        "Risposta automatica: {orig}",
        "Sono fuori ufficio fino al 12 {month}. Risponderò al mio rientro.\n{first} {last}",
    ),
]

AUTORESPONDERS = [
    (
        "en",
        "Re: {orig} [Ticket #{ticket}]",
        "This is an automated response to confirm we have received your request. A member of "
        "our team will get back to you within one business day.\n\nTicket number: {ticket}\n\n"
        "{company} Support",
    ),
    (
        "en",
        "We received your message",
        "Thanks for contacting {company}! This mailbox is not monitored in the evenings; we "
        "will reply during business hours.\n\n-- This is an automated message --",
    ),
]

NEWSLETTERS = [
    (
        "en",
        "This week in field service: 5 dispatch tips",
        "Hi there,\n\nThis week: how to cut windshield time by 15%, the new refrigerant rules, "
        "and a case study from a 40-van plumbing company.\n\nRead more on our blog.\n\n"
        "You received this email because you subscribed at {domain}. Unsubscribe any time.",
    ),
    (
        "en",
        "Your {month} product update from {company}",
        "New this month: dark mode, faster exports and a redesigned dashboard.\n\nSee what's "
        "new: https://{domain}/changelog\n\nManage your preferences or unsubscribe.",
    ),
    (
        "de",
        "Newsletter {month}: Neuigkeiten aus der Branche",
        "Liebe Leserinnen und Leser,\n\nin dieser Ausgabe: Fachkräftemangel im Handwerk, neue "
        "Förderprogramme und Termine für die nächsten Messen.\n\nAbmelden: https://{domain}/"
        "abmelden",
    ),
]

BOUNCE_TARGETS = [
    "j.miller@{domain}",
    "purchasing@{domain}",
    "old.contact@{domain}",
    "info@{domain}",
]

# What generate.py cannot read off an entry, by its subject template. "difficulty" by the
# rubric in README.md: only "ambiguous" and "hard" are written here, since every entry not in
# another language and not listed is easy, and every entry in another language is at least
# hard. "seats": what a lead's text says of its size when it has no {seats} slot (the
# generator prices a lead from it: value_usd).
NOTES = {
    # Could be support (security questions come from customers too); the sale is implicit.
    "SSO and data residency": {"difficulty": "hard"},
    # A demo, or a question whether it fits (sales inquiry)?
    "quick call to see the product?": {"difficulty": "ambiguous", "seats": 6},
    "Request: product demonstration": {"difficulty": "hard"},  # formal, no product words
    "Demo gewünscht": {"seats": 5},
    "Demostración para nuestro equipo": {"seats": 10},
    "Présentation de l'application mobile": {"seats": 8},
    "how much?": {"difficulty": "hard", "seats": 3},  # terse
    "Preise?": {"seats": 4},
    "Precio por técnico": {"seats": 50},
    "Tarifs pour une PME": {"seats": 12},
    # Prices and a demo in one sentence: pricing_request or demo_request.
    "Solicitud de presupuesto": {"difficulty": "ambiguous"},
    "Walkthrough for our ops team?": {"seats": 15},
    "Following up on my last email": {"difficulty": "hard"},  # the pitch is in another mail
    # A paid placement offered as a collaboration: vendor_pitch or partnership.
    "Guest on our podcast? (sponsored)": {"difficulty": "ambiguous"},
    # A recruiter selling candidates: job_application or vendor_pitch.
    "Candidates for your Sales Engineer opening": {"difficulty": "ambiguous"},
    # A free co-marketing offer: partnership or other.
    "Co-hosted webinar for HVAC contractors?": {"difficulty": "ambiguous"},
    # Phishing dressed as a billing question: spam or support.
    "Invoice overdue - action required": {"difficulty": "ambiguous"},
    "Re: your order": {"difficulty": "hard"},  # terse, nothing but a link
    # Unsubscribe request: other, or support, or spam.
    "Wrong email?": {"difficulty": "ambiguous"},
    "Thank you!": {"difficulty": "hard"},  # "not looking right now" is the deciding fact
    "Away until Monday": {"difficulty": "hard"},  # no "out of office" words, maybe no headers
}
