# ruff: noqa: E501  (one hand-written sentence a line: wrapping would split them)
"""Training-only sentences: more of each category in every language, written after the pools
of training_en.py, training_eu.py and training_more.py and never held out.

Same format as those pools (training_texts.py): per language an optional "intro" (one
sentence a line) and per category a first line "S: subject | subject ..." then one sentence
a line. The composer (training.py) adds messages made of these and of the pools' training
sentences after the held-out messages, so the held-out split stays what it was.
English, German, French, Spanish, Italian, Dutch and Portuguese are here; Russian and
Japanese in training_extra_ru_ja.py.
"""

from bench.labelled.training_extra_ru_ja import JA, RU

EN = {
    "intro": """I look after scheduling at {company}, where we have {seats} field engineers.
{company} maintains fire alarms and sprinklers for offices around {city}.
We're a regional plumbing firm with {employees} staff.""",
    "sales_inquiry": """S: A few questions before we go further|Checking if Tidewater fits|Evaluating field service tools|Can Tidewater do this?
Can dispatchers drag a job from one technician to another on the board?
Does the customer portal let clients book their own maintenance visits?
We have engineers who work across two time zones; does scheduling handle that?
Can the technician app capture a barcode when a part is fitted?
Is there an audit log of who changed a job and when?
We bill by the hour; can Tidewater track time on site per visit?
Do you offer single sign-on with Google Workspace?
How long does a typical rollout take for a company with a few dozen vans?
Our requirements list is attached; could you tell us which points Tidewater covers?
We've signed the order form, attached here; what are the next steps to get started?
Attached is the purchase order for the licences we discussed with your sales team.""",
    "demo_request": """S: Demo next week?|Could we see it live?|Booking a product tour|Screen share request
Could one of your team give us a live tour on Tuesday or Wednesday?
We'd like our three dispatchers to see the product on a screen share before the trial.
Please book us a slot for a product demo; mornings UK time work best.
Can you show us how a job goes from the office to the technician's phone, live?
Our owner wants to see the scheduling screen in person; do you do on-site demos in {city}?
Happy to jump on a video call so you can take us through the technician app.""",
    "pricing_request": """S: Cost for our team|Price list please|Licence costs|Quote needed
What would {seats} technician licences cost per year?
Do you charge extra for office users, or only for technicians?
Is there a setup fee on top of the subscription?
Could you email a price list with the different plans?
We're a charity; do you offer any discount on the licence?
Roughly what does it cost per month for a team of eight?""",
    "support": """S: Can't log in|Jobs not showing|Billing question|Help with the app|Bug report
The dispatch board shows yesterday's jobs even after a refresh.
Two of our technicians get a blank screen when they open a job.
Our direct debit failed and the account now shows a warning; what do we do?
How do I change which email address receives the invoices?
The route map is stuck on loading since this morning.
Customers say the portal link in the confirmation email has expired.
I've attached a screenshot of the error our dispatcher sees.""",
    "partnership": """S: Working together|Reseller enquiry|Integration partnership|Joint offer
We distribute building-management hardware in Ireland and would like to bundle Tidewater with it.
Our payroll product is used by many contractors; could we build a two-way integration with you?
Our firm rolls out scheduling tools for facilities companies; is there a certification for implementation partners?
Would you be open to a co-branded guide for HVAC businesses, each of us promoting it to our lists?
We'd like to talk about a reseller agreement for Australia and New Zealand.
Our trade association could offer Tidewater to members on special terms; who should we speak to?""",
    "job_application": """S: Applying for a role|Interested in joining|CV attached|Open roles
Your careers page lists an opening in customer success, and I'd like to be considered.
I have six years of experience in B2B sales and would love to be considered for a role.
Are you hiring QA engineers? I'd be glad to send my portfolio.
I'm a graduate looking for an entry-level role in marketing.
Please consider me for the support team; I'm available from next month.
We're a tech recruitment firm with two experienced QA engineers free to interview this week.""",
    "vendor_pitch": """S: Idea for Tidewater|Helping SaaS teams|Quick intro|Your marketing|Can I send you a proposal?
We translate software websites into twelve languages; can I send you a quote?
Our bookkeeping service is built for software startups; first month free.
We design trade show booths that get noticed; want to see our portfolio?
Would Tidewater like a paid listing in our buyers' guide for facility managers?
We run penetration tests for SaaS companies and can start next week.
Our team writes case studies and blog posts that rank; interested in a sample?
We print branded merchandise for your staff and customers at wholesale prices.
Could I book 20 minutes to show you how our chatbot turns visitors into leads?
Reserve a half-page ad in the spring issue of our facilities magazine for $1,200.
Our agency can run your LinkedIn ads and we only charge when someone books a call.""",
    "spam": """S: Action required|Final notice|You're a winner|Security alert
Your domain will expire today; renew now at the link to avoid losing your website.
HMRC: you are owed a tax refund, complete the form to claim it.
Claim your free gift card by completing this short survey.
Your payment could not be processed; update your card details here.
Make $500 a day from home, no experience needed.""",
    "auto_reply": """S: Out of office|Auto-response|Delivery failure|Your receipt|Weekly digest
Away until Monday. For anything urgent, please ring the front desk.
Your ticket has been created; our team usually replies within one business day.
Delivery has failed to these recipients: the mailbox is full.
Thanks for your payment; your receipt is attached. This is an automated email.
I'm travelling this week and will answer your email next week.
Your weekly report is ready: 42 jobs completed, 3 overdue. Manage notifications in settings.""",
    "other": """S: Hello|A request|Event|Feedback|Just a note
Our primary school is holding a raffle; would you donate a prize?
You're invited to our alumni networking evening at the university next month.
One of your vans has been parked across our driveway all morning; could someone move it?
We'd like to nominate your team for the regional small business awards.
I'm writing a book on starting a trades business; may I quote your blog post?
I used to work with your CEO years ago; please pass on my congratulations on the growth.
Our rotary club is hosting a fundraising dinner; would anyone from Tidewater like a table?
The local youth football team is looking for a shirt sponsor this season; would you consider it?
Could you confirm your office's postal address? We have a parcel addressed to you by mistake.""",
}

DE = {
    "intro": """Ich bin bei {company} für die Einsatzplanung zuständig; wir haben {seats} Techniker.
{company} betreut Kälte- und Klimaanlagen im Raum {city}.""",
    "sales_inquiry": """S: Fragen zur Funktion|Informationen zur Software|Eignung für unseren Betrieb
Können Disponenten Aufträge per Drag-and-drop zwischen Technikern verschieben?
Können unsere Kunden über das Portal selbst Wartungstermine buchen?
Lässt sich in der App erfassen, welche Ersatzteile verbaut wurden?
Gibt es eine Protokollierung, wer einen Auftrag wann geändert hat?
Unterstützt Tidewater Single Sign-on mit Microsoft 365?
Wie lange dauert die Einführung bei einem Betrieb mit etwa dreißig Fahrzeugen?
Kann man Arbeitszeiten vor Ort pro Einsatz erfassen und abrechnen?
Im Anhang unser Lastenheft; welche Punkte deckt Tidewater ab?
Anbei der unterschriebene Bestellschein; wie geht es jetzt weiter?""",
    "demo_request": """S: Vorführung|Live-Demo|Termin für eine Präsentation
Könnte uns jemand am Dienstag oder Mittwoch die Software online vorstellen?
Wir möchten, dass unsere drei Disponenten die Software vor dem Test einmal live sehen.
Wir hätten gern einen Vorführtermin, am liebsten vormittags.
Zeigen Sie uns bitte, wie ein Auftrag vom Büro auf das Handy des Monteurs kommt.
Machen Sie auch Vorführungen vor Ort bei uns in {city}?
Gerne per Videocall, damit Sie uns durch die Techniker-App führen.""",
    "pricing_request": """S: Kosten|Preisliste|Lizenzkosten|Angebotsanfrage
Was würden {seats} Techniker-Lizenzen im Jahr kosten?
Berechnen Sie Büro-Nutzer extra oder nur die Techniker?
Fällt zusätzlich zur Lizenz eine Einrichtungsgebühr an?
Schicken Sie uns bitte eine Preisliste mit den verschiedenen Paketen.
Wir sind ein gemeinnütziger Verein; gibt es einen Nachlass?
Mit welchen monatlichen Kosten müssen wir für acht Nutzer rechnen?
Was würde es mit Schulung für {seats} Nutzer kosten? Gern als PDF.""",
    "support": """S: Login klappt nicht|Aufträge fehlen|Frage zur Rechnung|Fehlermeldung
Auf der Plantafel erscheinen noch die Aufträge von gestern, auch nach dem Neuladen.
Zwei Monteure sehen einen leeren Bildschirm, wenn sie einen Auftrag öffnen.
Die Lastschrift ist fehlgeschlagen und im Konto steht jetzt eine Warnung.
An welche Adresse gehen die Rechnungen, und wie ändere ich sie?
Die Karte mit den Touren lädt seit heute früh nicht.
Kunden melden, dass der Link zum Portal abgelaufen ist.
Ein Screenshot der Fehlermeldung hängt an.""",
    "partnership": """S: Zusammenarbeit|Vertriebspartnerschaft|Gemeinsames Angebot
Wir vertreiben Gebäudetechnik in der Schweiz und würden Tidewater gern im Paket anbieten.
Unsere Lohnsoftware nutzen viele Handwerksbetriebe; wollen wir eine Integration bauen?
Wir sind ein Beratungshaus für Außendienstsoftware und möchten zertifizierter Partner werden.
Hätten Sie Interesse an einem gemeinsamen Leitfaden für SHK-Betriebe?
Unsere Innung könnte Tidewater den Mitgliedern zu Sonderkonditionen anbieten.""",
    "job_application": """S: Bewerbung Customer Success|Interesse an einer Stelle|Lebenslauf
Auf Ihrer Karriereseite habe ich die Stelle im Customer Success gesehen und möchte mich vorstellen.
Ich habe sechs Jahre Erfahrung im B2B-Vertrieb und würde gern zu Ihnen wechseln.
Suchen Sie Softwaretester? Ich schicke Ihnen gern meine Unterlagen.
Nach dem Studium suche ich eine Einstiegsstelle im Marketing.
Ich kann ab nächstem Monat im Support anfangen.""",
    "vendor_pitch": """S: Idee für Tidewater|Vorschlag|Kurze Vorstellung|Ihr Marketing
Wir übersetzen Software-Websites in zwölf Sprachen, zum Festpreis pro Seite.
Unsere Buchhaltung ist auf Start-ups spezialisiert, der erste Monat ist gratis.
Wir bauen Messestände, die auffallen; möchten Sie unser Portfolio sehen?
Wie wäre ein bezahlter Eintrag in unserem Einkaufsführer für Facility Manager?
Wir führen Penetrationstests für SaaS-Anbieter durch.
Wir bedrucken Werbeartikel für Ihr Team zum Großhandelspreis.
Hätten Sie 20 Minuten, damit ich Ihnen unseren Chatbot zeige?""",
    "spam": """S: Handlung erforderlich|Letzte Mahnung|Sie haben gewonnen|Sicherheitswarnung
Ihre Domain läuft heute ab; verlängern Sie jetzt über den Link.
Das Finanzamt hat eine Erstattung für Sie: füllen Sie das Formular aus.
Holen Sie sich Ihren Gratis-Gutschein, indem Sie diese Umfrage ausfüllen.
Ihre Zahlung konnte nicht verarbeitet werden; aktualisieren Sie Ihre Kartendaten hier.
Verdienen Sie 500 Euro am Tag von zu Hause, ohne Vorkenntnisse.""",
    "auto_reply": """S: Nicht im Haus|Automatische Antwort|Unzustellbar|Ihre Quittung|Wochenbericht
Ich bin bis Montag nicht im Büro. Bei Eilsachen: Telefon 0800 123 456.
Ihr Ticket wurde angelegt; wir antworten in der Regel innerhalb eines Werktags.
Die Nachricht konnte nicht zugestellt werden: das Postfach ist voll.
Zahlung erhalten, vielen Dank. Bitte antworten Sie nicht auf diese Nachricht.
Ich bin diese Woche auf Dienstreise und antworte ab nächster Woche.
Ihr Wochenbericht: 42 Aufträge erledigt, 3 überfällig.""",
    "other": """S: Anfrage|Einladung|Hinweis|Kurze Nachricht
Unsere Grundschule veranstaltet eine Tombola; würden Sie einen Preis spenden?
Sie sind zu unserem Alumni-Treffen an der Hochschule eingeladen.
Einer Ihrer Transporter steht seit heute Morgen vor unserer Einfahrt.
Wir möchten Ihr Team für den regionalen Mittelstandspreis nominieren.
Ich schreibe ein Buch über Gründungen im Handwerk; darf ich Ihren Blogartikel zitieren?
Ich studiere Wirtschaftsinformatik und würde gern ein Experteninterview mit Ihrem Team führen.""",
}

FR = {
    "intro": """Je m'occupe du planning chez {company}, nous avons {seats} techniciens.
{company} entretient des systèmes de climatisation dans la région de {city}.""",
    "sales_inquiry": """S: Questions sur les fonctionnalités|Renseignements|Votre outil est-il adapté ?
Les planificateurs peuvent-ils glisser une intervention d'un technicien à un autre ?
Nos clients peuvent-ils réserver eux-mêmes leurs visites d'entretien sur le portail ?
L'application permet-elle de scanner un code-barres quand une pièce est posée ?
Existe-t-il un historique des modifications de chaque intervention ?
Proposez-vous l'authentification unique avec Microsoft 365 ?
Combien de temps prend le déploiement pour une trentaine de véhicules ?
Peut-on suivre le temps passé sur site pour la facturation ?
Vous trouverez en pièce jointe notre cahier des charges ; quels points Tidewater couvre-t-il ?
Ci-joint le bon de commande signé ; quelles sont les prochaines étapes ?""",
    "demo_request": """S: Démonstration|Démo en ligne|Présentation de l'outil
Quelqu'un pourrait-il nous présenter le logiciel en visio mardi ou mercredi ?
Nos trois planificateurs aimeraient voir l'outil en direct avant l'essai.
Merci de nous réserver un créneau pour une démo, de préférence le matin.
Pourriez-vous nous montrer comment une intervention arrive sur le téléphone du technicien ?
Faites-vous des démonstrations sur place à {city} ?
Une démo de l'application mobile nous intéresse, par visioconférence.""",
    "pricing_request": """S: Tarifs|Grille tarifaire|Coût des licences|Demande de prix
Combien coûteraient {seats} licences techniciens par an ?
Les utilisateurs du bureau sont-ils facturés en plus ?
Faut-il payer quelque chose pour le démarrage, au-delà du mensuel ?
Pourriez-vous m'envoyer votre grille tarifaire ?
Nous sommes une association ; avez-vous un tarif réduit ?
Combien paierait par mois une équipe de huit ?
Merci de nous adresser une proposition chiffrée, formation comprise.""",
    "support": """S: Connexion impossible|Interventions manquantes|Question de facturation|Message d'erreur
Le planning affiche encore les interventions d'hier, même après actualisation.
Deux techniciens ont un écran blanc quand ils ouvrent une intervention.
Le prélèvement a échoué et notre compte affiche un avertissement.
L'application plante quand on ajoute une photo.
La carte des tournées ne se charge plus depuis ce matin.
Nos clients disent que le lien vers le portail a expiré.
Je n'arrive pas à réinitialiser mon mot de passe, je ne reçois pas l'e-mail.
Je joins une capture d'écran de l'erreur.""",
    "partnership": """S: Collaboration|Partenariat commercial|Offre commune
Nous distribuons du matériel de gestion technique du bâtiment ; Tidewater compléterait bien notre offre.
Nos clients grossistes utilisent notre gestion de stock ; un connecteur avec Tidewater leur serait utile, on en parle ?
Nous sommes un cabinet de conseil et souhaitons devenir partenaire certifié.
Seriez-vous partants pour un guide commun destiné aux chauffagistes ?
Notre fédération professionnelle pourrait proposer Tidewater à ses adhérents à tarif préférentiel.""",
    "job_application": """S: Ma candidature pour un poste|Poste en customer success|Mon CV
Je postule au poste de chargé de clientèle publié sur votre site carrières.
J'ai six ans d'expérience dans la vente B2B et aimerais rejoindre votre équipe commerciale.
Recrutez-vous des testeurs logiciels ? Je peux vous envoyer mon dossier.
Jeune diplômée, je cherche un premier poste en marketing.
Je suis disponible le mois prochain pour un poste au support.""",
    "vendor_pitch": """S: Une idée pour vous|Proposition|Présentation rapide|Votre visibilité
Nous traduisons les sites de logiciels en douze langues ; puis-je vous envoyer un devis ?
Notre cabinet comptable accompagne les start-up, premier mois offert.
Nous concevons des stands de salon qui attirent le regard.
Souhaitez-vous une fiche payante dans notre guide d'achat pour les gestionnaires de sites ?
Nous réalisons des tests d'intrusion pour les éditeurs SaaS.
Nous imprimons des goodies à vos couleurs à prix de gros.
Avez-vous 20 minutes pour découvrir notre chatbot de prise de rendez-vous ?""",
    "spam": """S: Action requise|Dernier avis|Vous avez gagné|Alerte de sécurité
Votre nom de domaine expire aujourd'hui ; renouvelez-le via ce lien.
Les impôts vous doivent un remboursement : remplissez le formulaire.
Recevez votre carte cadeau gratuite en répondant à ce sondage.
Votre paiement a été refusé ; mettez à jour votre carte bancaire ici.
Gagnez 500 euros par jour depuis chez vous sans expérience.
Chronopost : votre envoi est en attente, confirmez votre adresse de livraison.""",
    "auto_reply": """S: Absence|Message automatique|Échec de remise|Votre reçu|Rapport hebdomadaire
En congé cette semaine, sans accès à la messagerie.
Votre demande a bien été enregistrée ; nous répondons en général sous un jour ouvré.
Le message n'a pas pu être remis : la boîte du destinataire est pleine.
Merci pour votre paiement, votre reçu est joint. Ceci est un message automatique.
Je suis en déplacement cette semaine et vous répondrai la semaine prochaine.
Votre rapport de la semaine : 42 interventions terminées, 3 en retard.
En mon absence, ma collègue Claire traite les dossiers en cours.""",
    "other": """S: Demande|Invitation|Un mot|Information
Notre école organise une tombola ; accepteriez-vous d'offrir un lot ?
Vous êtes invités à la soirée des anciens élèves de l'école d'ingénieurs.
Une de vos camionnettes bloque notre entrée depuis ce matin.
Nous aimerions présenter votre équipe au prix régional des entreprises.
J'écris un livre sur la création d'entreprise artisanale ; puis-je citer votre article ?""",
}

ES = {
    "intro": """Me encargo de la planificación en {company}; tenemos {seats} técnicos.
{company} mantiene equipos de climatización en la zona de {city}.""",
    "sales_inquiry": """S: Consultas sobre funciones|Información|¿Nos sirve Tidewater?
¿Los coordinadores pueden mover un trabajo de un técnico a otro arrastrándolo?
¿Los clientes pueden reservar sus visitas de mantenimiento desde el portal?
¿La aplicación permite escanear el código de barras de una pieza instalada?
¿Hay un registro de quién modificó cada orden de trabajo?
¿Tienen inicio de sesión único con Google Workspace?
¿Cuánto tarda la implantación en una empresa con treinta furgonetas?
¿Se puede registrar el tiempo en obra para facturar por horas?
Adjunto nuestro pliego de requisitos; ¿qué puntos cubre Tidewater?
Les envío firmado el formulario de pedido; ¿cuál es el siguiente paso?""",
    "demo_request": """S: Demostración|Demo en vivo|Presentación del producto
¿Alguien de su equipo nos podría mostrar el programa el martes o el miércoles?
Nuestros tres coordinadores quieren ver la herramienta en directo antes de la prueba.
Resérvennos una hora para una demo, mejor por la mañana.
¿Pueden enseñarnos cómo llega un trabajo de la oficina al móvil del técnico?
¿Hacen demostraciones presenciales en {city}?
Nos gustaría una videollamada para recorrer la aplicación de los técnicos.""",
    "pricing_request": """S: Precios|Lista de precios|Coste de las licencias|Solicitud de presupuesto
¿Cuánto costarían {seats} licencias de técnico al año?
¿Los usuarios de oficina se pagan aparte?
¿Hay una cuota de alta además de la suscripción?
¿Me pueden enviar la lista de precios de los planes?
Somos una ONG; ¿tienen algún descuento?
¿Cuánto sale al mes para un equipo de ocho personas?
Necesitamos un presupuesto para {seats} usuarios con la formación incluida.""",
    "support": """S: No puedo entrar|Faltan trabajos|Duda con la factura|Mensaje de error
El tablero sigue mostrando los trabajos de ayer aunque recargue la página.
Dos técnicos ven la pantalla en blanco al abrir un trabajo.
Falló la domiciliación y la cuenta muestra un aviso.
La aplicación se cierra al adjuntar una foto.
El mapa de rutas no carga desde esta mañana.
No me llega el correo para restablecer la contraseña.
Adjunto una captura de pantalla del error.""",
    "partnership": """S: Colaboración|Acuerdo comercial|Propuesta conjunta
Distribuimos equipos de gestión de edificios y queremos ofrecer Tidewater en un paquete.
Nuestro software de nóminas lo usan muchos instaladores; ¿hacemos una integración?
Somos una consultora de software de campo y queremos ser socio certificado.
¿Les interesaría preparar con nosotros una guía para empresas de fontanería?
Nuestra asociación empresarial podría ofrecer Tidewater a sus socios con condiciones especiales.""",
    "job_application": """S: Candidatura|Puesto de atención al cliente|Mi currículum
Me presento a la oferta de customer success publicada en su web.
Tengo seis años de experiencia en ventas B2B y me encantaría unirme a su equipo.
¿Buscan probadores de software? Puedo enviarles mi perfil.
Soy recién titulada y busco un primer empleo en marketing.
Puedo incorporarme al equipo de soporte el mes que viene.""",
    "vendor_pitch": """S: Una idea para ustedes|Propuesta|Presentación breve|Su visibilidad
Traducimos webs de software a doce idiomas; ¿les envío un presupuesto?
Nuestra gestoría está especializada en startups, el primer mes gratis.
Diseñamos stands de feria que llaman la atención.
¿Quieren aparecer en nuestra guía de compras para responsables de mantenimiento?
Hacemos pruebas de penetración para empresas SaaS.
Imprimimos merchandising con su logo a precio de mayorista.
Le propongo una llamada breve para enseñarle nuestro chatbot que capta clientes.""",
    "spam": """S: Acción necesaria|Último aviso|Ha ganado|Alerta de seguridad
Su dominio caduca hoy; renuévelo ahora en el enlace.
Hacienda le devuelve 320 euros: rellene el formulario.
Consiga su tarjeta regalo gratis respondiendo a esta encuesta.
No se pudo procesar su pago; actualice los datos de su tarjeta aquí.
Su banco le informa: se ha cargado una compra de 740 euros; si no la reconoce, llame a este número.
Correos: su envío está retenido en aduanas, confirme la dirección.""",
    "auto_reply": """S: Fuera de la oficina|Mensaje automático|Error de entrega|Su recibo|Resumen semanal
Estoy de baja esta semana; para urgencias, llame a recepción.
Hemos recibido su solicitud; solemos responder en un día laborable.
No se pudo entregar el mensaje: el buzón del destinatario está lleno.
Gracias por su pago; adjuntamos el recibo. Este correo es automático.
Estoy de viaje esta semana y contestaré la próxima.
Su informe semanal: 42 trabajos terminados, 3 pendientes.
Este es un mensaje automático, por favor no responda.""",
    "other": """S: Consulta|Invitación|Una nota|Aviso
Nuestro colegio organiza una rifa; ¿donarían un premio?
Les invitamos a la cena de antiguos alumnos de la escuela de ingeniería.
Una de sus furgonetas lleva toda la mañana bloqueando nuestra entrada.
Queremos proponer a su equipo para los premios regionales a la empresa.
Escribo un libro sobre emprendimiento; ¿puedo citar su artículo del blog?
Estoy preparando mi tesis de máster sobre mantenimiento industrial y busco empresas para una entrevista breve.
Ya no trabajo en esa empresa; por favor, actualicen su contacto.""",
}

IT = {
    "intro": """Mi occupo della pianificazione in {company}; abbiamo {seats} tecnici.
{company} fa manutenzione di impianti di climatizzazione nella zona di {city}.""",
    "sales_inquiry": """S: Domande sulle funzioni|Informazioni|Tidewater fa per noi?
I pianificatori possono spostare un intervento da un tecnico all'altro trascinandolo?
I clienti possono prenotare da soli le visite di manutenzione sul portale?
L'app permette di registrare i ricambi installati?
C'è uno storico di chi ha modificato ogni intervento?
Offrite l'accesso unico con Microsoft 365?
Quanto dura l'avviamento per un'azienda con trenta furgoni?
Si può registrare il tempo in cantiere per fatturare a ore?
In allegato il nostro capitolato: quali punti copre Tidewater?
Vi mando il modulo d'ordine firmato: come procediamo?""",
    "demo_request": """S: Dimostrazione|Demo dal vivo|Presentazione del prodotto
Qualcuno del vostro team potrebbe mostrarci il software martedì o mercoledì?
I nostri tre pianificatori vorrebbero vedere lo strumento in diretta prima della prova.
Prenotateci un appuntamento per una demo, meglio di mattina.
Potete farci vedere come un intervento arriva dall'ufficio al telefono del tecnico?
Fate dimostrazioni di persona a {city}?
Ci piacerebbe una videochiamata per vedere l'app dei tecnici.""",
    "pricing_request": """S: Costi|Listino prezzi|Costo delle licenze|Richiesta di offerta
Quanto costerebbero {seats} licenze tecnico all'anno?
Gli utenti d'ufficio si pagano a parte?
C'è un costo di attivazione oltre all'abbonamento?
Potete mandarmi il listino dei piani?
Siamo un'associazione senza scopo di lucro: avete uno sconto?
Quanto costa al mese per una squadra di otto persone?
Ci serve un'offerta per {seats} utenti, formazione inclusa.""",
    "support": """S: Non riesco a entrare|Interventi mancanti|Dubbio sulla fattura|Messaggio di errore
Il planning mostra ancora gli interventi di ieri anche dopo l'aggiornamento.
Due tecnici vedono una schermata bianca quando aprono un intervento.
L'addebito diretto non è andato a buon fine e l'account mostra un avviso.
L'app si chiude quando allego una foto.
La mappa dei giri non si carica da stamattina.
Non ricevo l'email per reimpostare la password.
Allego uno screenshot dell'errore.""",
    "partnership": """S: Proposta di accordo|Accordo commerciale|Proposta congiunta
Distribuiamo sistemi di building automation e vorremmo offrire Tidewater insieme.
Il nostro software paghe è usato da molti installatori: costruiamo un'integrazione?
Siamo una società di consulenza e vorremmo diventare partner certificati.
Produciamo caldaie e vorremmo che i dati dei nostri sensori arrivassero in Tidewater.
La nostra associazione di categoria potrebbe offrire Tidewater agli iscritti a condizioni speciali.
Siamo rivenditori di software gestionali in Sicilia e vorremmo aggiungere Tidewater.
Vi proponiamo una campagna di co-marketing rivolta ai nostri clienti comuni.""",
    "job_application": """S: Candidatura|Posizione customer success|Il mio CV
Mi candido per la posizione di customer success pubblicata sul vostro sito.
Ho sei anni di esperienza nella vendita B2B e vorrei entrare nel vostro team.
Cercate tester software? Posso inviarvi il mio profilo.
Sono neolaureata e cerco un primo lavoro nel marketing.
Posso iniziare nel supporto dal mese prossimo.
Come società di head hunting abbiamo profili di tecnici commerciali pronti per un colloquio.
Ho lavorato dieci anni come tecnico frigorista e vorrei passare al vostro supporto.""",
    "vendor_pitch": """S: Un'idea per voi|Proposta|Breve presentazione|La vostra visibilità
Traduciamo siti di software in dodici lingue: posso mandarvi un preventivo?
Il nostro studio contabile segue le startup, primo mese gratuito.
Progettiamo stand fieristici che si fanno notare.
Volete una scheda a pagamento nella nostra guida per i facility manager?
Facciamo test di penetrazione per aziende SaaS.
Stampiamo gadget con il vostro logo a prezzi all'ingrosso.
Ha 20 minuti per vedere il nostro chatbot che trova clienti?
La nostra agenzia gestisce campagne pubblicitarie sui social.
Il nostro team in Romania sviluppa software su misura a canone mensile fisso.""",
    "spam": """S: Azione richiesta|Ultimo avviso|Hai vinto|Avviso di sicurezza
Il tuo dominio scade oggi: rinnovalo subito dal link.
L'Agenzia delle Entrate ha un rimborso per te: compila il modulo.
Ricevi un buono regalo gratis compilando questo sondaggio.
Il pagamento non è andato a buon fine: aggiorna i dati della carta qui.
Guadagna 500 euro al giorno da casa senza esperienza.""",
    "auto_reply": """S: Fuori sede|Risposta automatica|Consegna non riuscita|Ricevuta|Riepilogo settimanale
Sono in ferie fino a lunedì senza accesso alla posta; per urgenze chiamate il centralino.
Ticket aperto: un operatore la ricontatterà entro un giorno lavorativo.
Impossibile consegnare il messaggio: la casella del destinatario è piena.
Grazie per il pagamento, in allegato la ricevuta. Email automatica.
Sono in trasferta questa settimana e risponderò la prossima.
Il suo riepilogo settimanale: 42 interventi chiusi, 3 in ritardo.
Newsletter di novembre: tre nuovi corsi per tecnici frigoristi. Gestisci le tue preferenze email.""",
    "other": """S: Richiesta|Un invito per voi|Una nota|Avviso
La nostra scuola organizza una lotteria: donereste un premio?
Siete invitati alla cena degli ex studenti del politecnico.
Un vostro furgone blocca il nostro passo carrabile da stamattina.
Vorremmo candidare il vostro team al premio regionale per le imprese.
Sto scrivendo un libro sulle imprese artigiane: posso citare il vostro articolo?
Sono una studentessa e preparo una ricerca sulla manutenzione programmata.
Non sono più il referente di questa azienda, vi prego di aggiornare il contatto.""",
}

NL = {
    "intro": """Ik regel de planning bij {company}; we hebben {seats} monteurs.
{company} onderhoudt klimaatinstallaties in de regio {city}.""",
    "sales_inquiry": """S: Vragen over functies|Informatie|Is Tidewater iets voor ons?
Kunnen planners een klus van de ene monteur naar de andere slepen?
Kunnen klanten zelf onderhoudsbezoeken inplannen via het portaal?
Kan de app bijhouden welke onderdelen zijn gemonteerd?
Is er een logboek van wie een werkbon heeft gewijzigd?
Bieden jullie single sign-on met Microsoft 365?
Hoe lang duurt de invoering bij een bedrijf met dertig busjes?
Kun je de tijd op locatie per bezoek registreren voor de facturatie?
In de bijlage ons programma van eisen; welke punten dekt Tidewater?
Bijgaand het getekende bestelformulier; wat is de volgende stap?""",
    "demo_request": """S: Demonstratie|Live demo|Productpresentatie
Kan iemand van jullie ons dinsdag of woensdag de software laten zien?
Onze drie planners willen de tool live zien voordat we gaan testen.
Graag een afspraak voor een demo, het liefst 's ochtends.
Kunnen jullie laten zien hoe een klus van kantoor op de telefoon van de monteur komt?
Geven jullie ook demo's op locatie in {city}?
Kunnen we een online sessie plannen waarin u de planning toont?""",
    "pricing_request": """S: Kosten|Prijslijst|Licentiekosten|Prijsopgave
Wat kosten {seats} monteurslicenties per jaar?
Betalen we apart voor kantoorgebruikers?
Zijn er opstartkosten naast het abonnement?
Kunt u mij de prijslijst van de pakketten mailen?
Wij zijn een stichting; is er korting mogelijk?
Wat kost het ongeveer per maand voor een team van acht?
Graag een offerte voor {seats} gebruikers inclusief training.""",
    "support": """S: Inloggen lukt niet|Klussen ontbreken|Vraag over de factuur|Foutmelding
Het planbord toont nog de klussen van gisteren, ook na verversen.
Twee monteurs zien een wit scherm als ze een werkbon openen.
De automatische incasso is mislukt en het account toont een waarschuwing.
De app sluit af als ik een foto toevoeg.
De routekaart laadt sinds vanochtend niet meer.
Ik ontvang de mail om mijn wachtwoord te herstellen niet.
Ik heb een screenshot van de foutmelding bijgevoegd.""",
    "partnership": """S: Samenwerking|Commerciële samenwerking|Gezamenlijk aanbod
Wij verkopen gebouwbeheersystemen en willen Tidewater in een pakket aanbieden.
Ons salarispakket wordt door veel installateurs gebruikt; bouwen we een koppeling?
Wij zijn een adviesbureau en willen gecertificeerd partner worden.
Wij maken slimme thermostaten en willen onze meldingen rechtstreeks in Tidewater zetten.
Onze branchevereniging kan Tidewater met korting aan leden aanbieden.
Wij leveren installatiesoftware aan groothandels en zoeken producten om door te verkopen.""",
    "job_application": """S: Sollicitatie|Functie customer success|Mijn cv
Ik solliciteer naar de functie customer success op jullie website.
Ik heb zes jaar ervaring in B2B-verkoop en kom graag bij jullie werken.
Zoeken jullie softwaretesters? Ik stuur graag mijn profiel.
Ik ben net afgestudeerd en zoek een eerste baan in marketing.
Ik kan volgende maand beginnen bij de klantenservice.
Ik heb tien jaar als koeltechnicus gewerkt en wil graag de overstap naar jullie support maken.""",
    "vendor_pitch": """S: Een idee voor u|Voorstel|Korte introductie|Uw zichtbaarheid
Wij vertalen softwarewebsites in twaalf talen; mag ik een offerte sturen?
Ons administratiekantoor is gespecialiseerd in startups, de eerste maand gratis.
Wij ontwerpen beursstands die opvallen.
Wilt u een betaalde vermelding in onze inkoopgids voor facilitair managers?
Wij voeren penetratietests uit voor SaaS-bedrijven.
Wij bedrukken relatiegeschenken met uw logo tegen groothandelsprijzen.
Heeft u 20 minuten om onze chatbot te bekijken die bezoekers omzet in klanten?
Ons bureau beheert uw advertenties op LinkedIn en Google.
Wij bouwen in vier weken een nieuwe website voor u.
Ons team in Portugal bouwt maatwerksoftware voor een vaste maandprijs.""",
    "spam": """S: Actie vereist|Laatste herinnering|U heeft gewonnen|Beveiligingswaarschuwing
Uw domeinnaam verloopt vandaag; verleng hem nu via de link.
De Belastingdienst heeft een teruggave voor u: vul het formulier in.
Ontvang een gratis cadeaubon door deze enquête in te vullen.
Uw betaling is mislukt; werk hier uw kaartgegevens bij.
Verdien 500 euro per dag vanuit huis zonder ervaring.
Uw bank meldt een betaling van 740 euro; niet herkend? Bel direct dit nummer.""",
    "auto_reply": """S: Afwezigheidsmelding|Automatisch antwoord|Niet bezorgd|Uw ontvangstbewijs|Weekoverzicht
Ik ben tot maandag afwezig zonder toegang tot e-mail; bel bij spoed de receptie.
Ticket aangemaakt: een medewerker neemt binnen één werkdag contact op.
Het bericht kon niet worden bezorgd: de mailbox van de ontvanger is vol.
Bedankt voor uw betaling, het ontvangstbewijs zit in de bijlage. Dit is een automatische e-mail.
Ik ben deze week op reis en antwoord volgende week.
Uw weekoverzicht: 42 klussen afgerond, 3 te laat.
Nieuwsbrief november: drie nieuwe cursussen voor koeltechnici. Beheer uw e-mailvoorkeuren.""",
    "other": """S: Vraag|Een uitnodiging|Een berichtje|Mededeling
Onze basisschool houdt een loterij; willen jullie een prijs doneren?
U bent uitgenodigd voor de reünie van de hogeschool.
Een van uw busjes staat al de hele ochtend voor onze inrit.
Wij willen uw team nomineren voor de regionale ondernemersprijs.
Ik schrijf een boek over ondernemen in de bouw; mag ik uw blog citeren?
Ik ben student en doe onderzoek naar onderhoudsplanning.""",
}

PT = {
    "intro": """Cuido do planeamento na {company}; temos {seats} técnicos.
A {company} faz manutenção de ar condicionado na região de {city}.""",
    "sales_inquiry": """S: Dúvidas sobre funcionalidades|Informações|O Tidewater serve para nós?
Os planejadores podem arrastar um serviço de um técnico para outro?
Os clientes conseguem agendar as próprias visitas de manutenção pelo portal?
O aplicativo registra as peças instaladas em cada visita?
Existe um histórico de quem alterou cada ordem de serviço?
Vocês oferecem login único com Google Workspace?
Quanto tempo leva a implantação numa empresa com trinta carrinhas?
Dá para registrar o tempo no local para faturar por hora?
Segue em anexo o nosso caderno de requisitos; que pontos o Tidewater cobre?
Envio o formulário de encomenda assinado; qual é o próximo passo?""",
    "demo_request": """S: Demonstração|Demo ao vivo|Apresentação do produto
Alguém da vossa equipa pode mostrar-nos o software na terça ou na quarta?
Os nossos três planejadores gostariam de acompanhar uma sessão de demonstração antes do teste.
Marquem-nos um horário para uma demo, de preferência de manhã.
Podem mostrar como um serviço sai do escritório e chega ao telemóvel do técnico?
Fazem demonstrações presenciais em {city}?
Gostaríamos de uma videochamada para conhecer o aplicativo dos técnicos.""",
    "pricing_request": """S: Custos|Tabela de preços|Custo das licenças|Pedido de proposta
Quanto custariam {seats} licenças de técnico por ano?
Os utilizadores do escritório são cobrados à parte?
Há taxa de ativação além da assinatura?
Podem enviar-me a tabela de preços dos planos?
Somos uma associação sem fins lucrativos; há desconto?
Quanto custa por mês para uma equipa de oito pessoas?
Precisamos de uma proposta para {seats} utilizadores, com formação incluída.""",
    "support": """S: Não consigo entrar|Serviços em falta|Dúvida na fatura|Mensagem de erro
O quadro ainda mostra os serviços de ontem mesmo depois de atualizar.
Dois técnicos veem o ecrã em branco ao abrir um serviço.
O débito direto falhou e a conta mostra um aviso.
O aplicativo fecha quando anexo uma foto.
O mapa das rotas não carrega desde hoje de manhã.
Não recebo o e-mail para redefinir a senha.
Envio em anexo uma captura de ecrã do erro.""",
    "partnership": """S: Colaboração|Acordo comercial|Proposta conjunta
Distribuímos sistemas de gestão de edifícios e queremos oferecer o Tidewater em pacote.
O nosso software de salários é usado por muitos instaladores; fazemos uma integração?
Somos uma consultoria e queremos ser parceiro certificado.
Fabricamos sensores para caldeiras e queremos enviar os alertas diretamente para o Tidewater.
A nossa associação empresarial pode oferecer o Tidewater aos associados com condições especiais.
Queremos revender o Tidewater em Portugal e Angola.""",
    "job_application": """S: Candidatura|Vaga de customer success|O meu currículo
Candidato-me à vaga de customer success publicada no vosso site.
Tenho seis anos de experiência em vendas B2B e gostaria de entrar na vossa equipa.
Procuram testadores de software? Posso enviar o meu perfil.
Sou recém-formada e procuro o primeiro emprego em marketing.
Posso começar no suporte no próximo mês.
Trabalhei dez anos como técnico de refrigeração e gostaria de mudar para o vosso suporte.""",
    "vendor_pitch": """S: Uma ideia para vocês|Proposta|Apresentação rápida|A sua visibilidade
Traduzimos sites de software para doze idiomas; posso enviar um orçamento?
O nosso gabinete de contabilidade é especializado em startups, primeiro mês grátis.
Desenhamos stands de feira que chamam a atenção.
Querem uma ficha paga no nosso guia de compras para gestores de manutenção?
Fazemos testes de intrusão para empresas SaaS.
Imprimimos brindes com o vosso logótipo a preço de grossista.
Tem 20 minutos para conhecer o nosso chatbot que capta clientes?
A nossa agência gere anúncios no Google e no LinkedIn.""",
    "spam": """S: Ação necessária|Último aviso|Você ganhou|Alerta de segurança
O seu domínio expira hoje; renove agora pelo link.
As Finanças têm um reembolso para si: preencha o formulário.
Receba um vale-presente grátis respondendo a este inquérito.
O seu pagamento falhou; atualize os dados do cartão aqui.
Ganhe 500 euros por dia em casa sem experiência.""",
    "auto_reply": """S: Ausência|Resposta automática|Falha na entrega|O seu recibo|Resumo semanal
Estou de férias até segunda-feira sem acesso ao e-mail; em caso de urgência ligue para a receção.
Ticket aberto: um colega entrará em contacto num dia útil.
Não foi possível entregar a mensagem: a caixa do destinatário está cheia.
Obrigado pelo pagamento, segue o recibo em anexo. Este e-mail é automático.
Estou em viagem esta semana e respondo na próxima.
O seu resumo semanal: 42 serviços concluídos, 3 atrasados.
Newsletter de novembro: três novos cursos para técnicos de refrigeração. Gerir preferências de e-mail.""",
    "other": """S: Pedido|Um convite para vocês|Uma nota|Aviso
A nossa escola vai fazer uma rifa; podem doar um prémio?
Estão convidados para o jantar de antigos alunos da faculdade de engenharia.
Uma das vossas carrinhas está a bloquear a nossa entrada desde manhã.
Gostaríamos de candidatar a vossa equipa ao prémio regional de empresas.
Estou a escrever um livro sobre empreendedorismo; posso citar o vosso artigo?
Sou estudante e faço uma pesquisa sobre manutenção preventiva.""",
}

LANGUAGES = {"en": EN, "de": DE, "fr": FR, "es": ES, "it": IT, "nl": NL, "pt": PT}
LANGUAGES.update({"ru": RU, "ja": JA})
