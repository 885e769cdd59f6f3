# ruff: noqa: E501  (one hand-written sentence a line: wrapping would split them)
"""Hand-written sentences the training set is composed from: German, French and Spanish
(training_texts.py has the format)."""

DE = {
    "greet": "Guten Tag,|Hallo,|Sehr geehrte Damen und Herren,|Hallo zusammen,|Liebes Tidewater-Team,",
    "sign": "Mit freundlichen Grüßen|Viele Grüße|Beste Grüße|Gruß|Danke und Gruß",
    "intro": """Wir sind {company} aus {city}, ein Handwerksbetrieb mit {employees} Mitarbeitern.
Ich leite die Disposition bei {company}; wir haben {seats} Monteure im Außendienst.
{company} wartet Heizungs- und Lüftungsanlagen in der Region {city}.
Wir sind ein Familienbetrieb mit {seats} Servicetechnikern.""",
    "sales_inquiry": """S: Frage zu Tidewater|Anfrage zu Ihrer Software|Passt Tidewater zu uns?|Einsatzplanung für unseren Betrieb
Kann Tidewater wiederkehrende Wartungsverträge abbilden?
Funktioniert die App für Techniker auch ohne Internetverbindung im Keller?
Gibt es eine Schnittstelle zu DATEV oder zu {tool}?
Wo stehen Ihre Server, und bieten Sie einen AV-Vertrag nach DSGVO an?
Wir suchen eine Lösung, um unsere Outlook-Kalender abzulösen.
Können wir Tidewater vorab kostenlos testen?
Lassen sich Arbeitsberichte mit Unterschrift des Kunden auf dem Tablet erfassen?
Eignet sich Ihre Software auch für einen Aufzugsdienst?
Können mehrtägige Baustellen mit demselben Team geplant werden?
Wir möchten {tool} ablösen und prüfen gerade Alternativen.""",
    "demo_request": """S: Terminanfrage Produktvorführung|Demo gewünscht|Online-Präsentation|Vorführung für unser Team
Wir würden uns Tidewater gerne in einer Online-Präsentation ansehen.
Könnten Sie uns die Tourenplanung einmal live zeigen?
Passt Ihnen ein Termin für eine Vorführung in der nächsten Woche?
Unser Geschäftsführer und die Disposition möchten die Software in einer Demo sehen.
Können Sie uns die App per Bildschirmfreigabe vorführen?
Bitte schlagen Sie uns zwei Termine für eine Produktdemo vor.""",
    "pricing_request": """S: Angebot für {seats} Lizenzen|Preise?|Preisanfrage|Kostenvoranschlag
Bitte senden Sie uns ein Angebot für {seats} Lizenzen inklusive Einrichtung.
Was kostet Tidewater für einen Betrieb mit vier Technikern?
Gibt es Rabatt bei jährlicher Zahlung?
Wie hoch sind die monatlichen Kosten pro Nutzer?
Unser Budget liegt bei etwa {budget} im Jahr; was ist damit möglich?
Wir benötigen bis Freitag ein schriftliches Angebot für die Geschäftsleitung.""",
    "support": """S: Problem mit der Synchronisation|Fehler in der App|Anmeldung nicht möglich|Rechnungsadresse ändern
Seit gestern werden erledigte Aufträge nicht mehr vom Tablet übertragen.
Die Anmeldung funktioniert nicht, das Passwort wird abgelehnt.
Wie ändern wir die Rechnungsadresse in unserem Konto?
Nach dem letzten Update fehlt die Unterschrift im PDF-Bericht.
Die Rechnung {ticket} wurde doppelt abgebucht; bitte erstatten Sie den Betrag.
Wie kann ich einem Kollegen Administratorrechte geben?
Unsere Monteure sehen beim Öffnen der App eine Fehlermeldung.
Der CSV-Export der Aufträge bricht ab.""",
    "partnership": """S: Partnerschaft für den DACH-Markt|Kooperationsanfrage|Partnerprogramm|Integration
Wir sind ein Systemhaus und würden Tidewater gerne in Deutschland und Österreich vertreiben.
Gibt es ein Partnerprogramm für Wiederverkäufer?
Wir entwickeln eine Lagersoftware und möchten eine gemeinsame Schnittstelle bauen.
Unser Verband würde gerne ein gemeinsames Webinar für Handwerksbetriebe veranstalten.
Wir empfehlen unseren Mandanten oft Software; haben Sie ein Empfehlungsprogramm?""",
    "job_application": """S: Bewerbung als Vertriebsmitarbeiter|Initiativbewerbung|Bewerbung|Praktikum
Hiermit bewerbe ich mich auf die ausgeschriebene Stelle im Vertrieb; mein Lebenslauf liegt bei.
Ich bin Softwareentwickler und interessiere mich für eine Stelle in Ihrem Team.
Ich suche ein Praktikum im Bereich Kundenservice ab dem Sommer.
Wir sind eine Personalvermittlung und haben passende Kandidaten für Ihre offene Stelle.
Anbei sende ich Ihnen meine Bewerbungsunterlagen für die Position im Support.""",
    "vendor_pitch": """S: Ihre Google-Bewertungen|Mehr Kunden für Tidewater|Kurze Frage|Ihre Website
Wir helfen Softwarefirmen, mehr positive Bewertungen zu sammeln; darf ich Ihnen unser Angebot vorstellen?
Ihre Website lädt langsam; wir optimieren sie zum Festpreis.
Wir vermitteln qualifizierte Verkaufstermine, Sie zahlen nur pro Termin.
Haben Sie zehn Minuten für ein kurzes Gespräch über Suchmaschinenoptimierung?
Unsere Entwickler aus Osteuropa verstärken Ihr Team ab 25 Euro pro Stunde.""",
    "spam": """S: Ihr Konto wurde gesperrt|Sie haben gewonnen!|Dringend: Zahlung ausstehend|Gewinnbenachrichtigung
Ihr Konto wurde aus Sicherheitsgründen gesperrt; bestätigen Sie Ihre Daten innerhalb von 24 Stunden.
Herzlichen Glückwunsch, Sie haben bei unserer Verlosung 50.000 Euro gewonnen.
Verdienen Sie 5.000 Euro pro Woche von zu Hause mit unserem Krypto-System.
Ihre Rechnung ist überfällig; öffnen Sie den Link, um eine Mahnung zu vermeiden.
Ihr Paket wartet auf Zustellung; zahlen Sie die Gebühr von 1,99 Euro.""",
    "auto_reply": """S: Abwesenheitsnotiz|Automatische Antwort|Unzustellbar|Ihre Rechnung ist verfügbar|Newsletter
Vielen Dank für Ihre Nachricht; ich bin bis einschließlich Freitag nicht im Büro.
Ich bin derzeit im Urlaub; Ihre E-Mail wird nicht weitergeleitet.
Diese Nachricht konnte nicht zugestellt werden: Postfach nicht gefunden.
Dies ist eine automatische Bestätigung: wir haben Ihre Anfrage erhalten, Ticketnummer {ticket}.
In dieser Ausgabe: Fachkräftemangel im Handwerk und neue Förderprogramme. Abmelden unter dem Link.
Ihre monatliche Rechnung steht im Kundenportal bereit; diese E-Mail wurde automatisch erstellt.""",
    "other": """S: Einladung zur Messe|Presseanfrage|Umfrage|Danke
Wir möchten Sie auf unseren Stand auf der Messe in Essen einladen.
Ich schreibe einen Artikel über Digitalisierung im Handwerk; hätten Sie Zeit für ein Interview?
Ich habe Ihre E-Mails irrtümlich erhalten, bitte löschen Sie meine Adresse.
Vielen Dank an Ihren Kollegen für das nette Gespräch auf der Messe.
Für meine Masterarbeit suche ich Unternehmen, die an einer kurzen Umfrage teilnehmen.""",
}

FR = {
    "greet": "Bonjour,|Bonjour à l'équipe,|Madame, Monsieur,|Bonsoir,|Chère équipe Tidewater,",
    "sign": "Cordialement,|Bien à vous,|Merci d'avance,|Bonne journée,|Salutations,",
    "intro": """Nous sommes {company}, une entreprise de maintenance à {city} avec {employees} salariés.
Je dirige l'exploitation chez {company}, nous avons {seats} techniciens itinérants.
{company} installe des chaudières dans la région de {city}.
Nous sommes une PME familiale de {seats} techniciens.""",
    "sales_inquiry": """S: Question sur votre logiciel|Renseignements sur Tidewater|Votre outil est-il adapté ?|Logiciel de planification
Est-ce que Tidewater gère les contrats de maintenance récurrents ?
L'application des techniciens fonctionne-t-elle sans connexion ?
Pouvez-vous vous connecter à notre ERP {tool} ?
Où sont hébergées les données, et sont-elles en Europe ?
Nous cherchons un outil pour planifier les interventions et envoyer les rapports au client.
Existe-t-il une période d'essai gratuite ?
Votre solution convient-elle à une entreprise d'ascenseurs ?
Pouvez-vous gérer des chantiers de plusieurs jours avec la même équipe ?""",
    "demo_request": """S: Demande de démonstration|Présentation de l'outil|Démo pour notre équipe|Rendez-vous pour une démo
Nous souhaiterions organiser une démonstration avec notre responsable d'exploitation.
Pourriez-vous nous présenter l'application en visio ?
Quelles sont vos disponibilités la semaine prochaine pour une démo ?
Notre direction aimerait voir le planning en direct avant de décider.
Est-il possible de voir une présentation de la planification des tournées ?""",
    "pricing_request": """S: Demande de devis|Tarifs|Prix pour {seats} utilisateurs|Combien ça coûte ?
Pouvez-vous nous faire parvenir un devis pour {seats} utilisateurs terrain ?
Quels sont vos tarifs pour une PME de {employees} personnes ?
Y a-t-il des frais de mise en service ?
Quel est le prix par technicien et par mois ?
Nous avons un budget d'environ {budget} par an ; que proposez-vous ?""",
    "support": """S: Problème de connexion|Facture {ticket}|Bug dans l'application|Aide
Impossible de me connecter depuis ce matin, le mot de passe est refusé.
La facture {ticket} ne mentionne pas notre numéro de TVA.
Les photos ne se synchronisent plus depuis la mise à jour.
Comment ajouter un nouvel administrateur sur notre compte ?
L'export des interventions en CSV ne fonctionne pas.
Le planning n'affiche plus les interventions du jour, pouvez-vous regarder ?
Nos techniciens ont un message d'erreur à l'ouverture de l'application.
Comment modifier l'adresse de facturation de notre abonnement ?""",
    "partnership": """S: Proposition de partenariat|Partenariat revendeur|Intégration commune|Programme partenaire
Nous éditons un logiciel de facturation et aimerions proposer une intégration avec Tidewater.
Nous souhaitons devenir revendeur de votre solution en Belgique.
Pouvons-nous organiser un webinaire commun pour les artisans ?
Avez-vous un programme d'apporteurs d'affaires ?
Nous sommes intégrateurs et voulons ajouter votre produit à notre catalogue.""",
    "job_application": """S: Candidature spontanée|Candidature au poste de commercial|Demande de stage|Candidature
Je me permets de vous adresser ma candidature spontanée ; vous trouverez mon CV en pièce jointe.
Je souhaite postuler au poste de chargé de support client.
Je suis étudiant et je cherche un stage de six mois en développement.
Notre cabinet de recrutement a des profils qualifiés pour votre poste ouvert.
Je suis développeur et votre offre d'emploi m'intéresse beaucoup.""",
    "vendor_pitch": """S: Prospection B2B clé en main|Plus de rendez-vous commerciaux|Votre site web|Petite question
Nous générons des rendez-vous qualifiés pour les éditeurs de logiciels, paiement au rendez-vous.
Un échange de 15 minutes cette semaine pour améliorer votre référencement ?
Notre agence refait votre site en trois semaines à prix fixe.
Nous proposons des fichiers de prospects vérifiés dans toute la France.
Nos développeurs offshore peuvent renforcer votre équipe dès la semaine prochaine.""",
    "spam": """S: Vous avez gagné un iPhone|Votre compte est bloqué|Félicitations !|Facture impayée
Félicitations ! Vous êtes le gagnant de notre tirage au sort, cliquez ici pour réclamer votre cadeau.
Votre compte a été suspendu, confirmez vos identifiants sur ce lien.
Gagnez 3 000 euros par semaine grâce à notre robot de trading.
Votre colis est bloqué, réglez les frais de douane de 2 euros.
Vous avez reçu un héritage ; répondez avec vos coordonnées bancaires.""",
    "auto_reply": """S: Réponse automatique|Absence du bureau|Message non remis|Votre facture est disponible|Lettre d'information
Je suis absent du bureau jusqu'au 3 et je répondrai à mon retour.
Je suis en congés ; votre message ne sera pas transféré.
Votre message n'a pas pu être remis au destinataire.
Ceci est une réponse automatique : nous avons bien reçu votre demande n° {ticket}.
Dans ce numéro : les nouvelles règles pour les artisans. Se désinscrire de la lettre.""",
    "other": """S: Question d'un étudiant|Demande de presse|Invitation au salon|Merci
Je suis étudiant et je prépare un exposé sur les logiciels de planification.
Je suis journaliste et j'écris un article sur les artisans et le numérique.
Nous vous invitons à notre stand au salon Batimat.
Merci à votre collègue pour l'échange très sympathique au salon.
Je pense avoir reçu vos messages par erreur, merci de me retirer de la liste.
Je cherche le contact de votre service presse.
Merci pour l'accueil sur votre stand la semaine dernière.""",
}

ES = {
    "greet": "Hola,|Buenos días,|Buenas tardes,|Estimados señores,|Hola equipo,",
    "sign": "Un saludo,|Saludos cordiales,|Gracias,|Atentamente,|Muchas gracias,",
    "intro": """Somos {company}, una empresa de climatización en {city} con {employees} empleados.
Dirijo las operaciones de {company}; tenemos {seats} técnicos en la calle.
{company} hace mantenimiento de ascensores en {city}.
Somos una empresa familiar con {seats} técnicos.""",
    "sales_inquiry": """S: Consulta sobre Tidewater|Información sobre su software|¿Nos sirve Tidewater?|Pregunta sobre la app
¿La app para técnicos funciona sin conexión?
¿Está disponible en español para nuestros técnicos?
¿Tienen integración con {tool} o una API?
Queremos dejar de planificar las visitas por WhatsApp; ¿nos pueden ayudar?
¿Gestionan contratos de mantenimiento periódicos?
¿Hay una versión de prueba gratuita?""",
    "demo_request": """S: Solicitud de demo|Demostración para nuestro equipo|¿Podemos ver el producto?|Reunión para una demo
Nos gustaría ver una demo de Tidewater con nuestro equipo de operaciones.
¿Podrían proponernos un horario para una demostración?
¿Podemos agendar una videollamada para ver la planificación de rutas?
Nuestro director quiere ver la aplicación en directo antes de decidir.
¿Nos pueden enseñar el panel de despacho en una reunión online?""",
    "pricing_request": """S: Solicitud de presupuesto|Precio por técnico|Tarifas|¿Cuánto cuesta?
¿Cuál es el precio por técnico al mes?
Necesitamos un presupuesto para {seats} usuarios.
¿Hay descuento para más de 50 técnicos?
¿Cuánto cuesta el plan Empresa con soporte prioritario?
Tenemos un presupuesto de unos {budget} al año; ¿qué nos pueden ofrecer?""",
    "support": """S: Error al sincronizar|Cambiar el plan|No puedo entrar|Problema con la factura
La aplicación de los técnicos no sincroniza las fotos desde ayer.
¿Cómo pasamos del plan Básico al Profesional?
No puedo iniciar sesión, la contraseña no funciona.
La factura {ticket} tiene un importe incorrecto.
El informe en PDF ya no muestra la firma del cliente.""",
    "partnership": """S: Acuerdo de distribución|Propuesta de colaboración|Programa de socios|Integración
Somos integradores en México y nos interesa distribuir Tidewater en la región.
¿Tienen un programa de socios para revendedores?
Desarrollamos un software de facturación y queremos integrarlo con Tidewater.
Proponemos un seminario web conjunto para instaladores.
Nos gustaría firmar un acuerdo de referidos con ustedes.""",
    "job_application": """S: Candidatura|Solicitud de empleo|Prácticas|Candidatura para desarrollador
Me gustaría presentar mi candidatura para el puesto de desarrollador; adjunto mi CV.
Busco prácticas en atención al cliente a partir de junio.
Soy ingeniera con cinco años de experiencia y quiero trabajar con ustedes.
Somos una agencia de selección con candidatos para su vacante de soporte.
Les envío mi currículum para cualquier puesto disponible.""",
    "vendor_pitch": """S: Servicios de marketing digital|Más clientes para su empresa|Auditoría gratuita|Pregunta rápida
Somos una agencia de marketing digital; ¿le interesaría una auditoría gratuita de sus campañas?
Posicionamos su web en la primera página de Google en 90 días.
Le ofrecemos bases de datos de contactos verificados de empresas.
Nuestros programadores pueden ampliar su equipo desde 20 dólares la hora.
¿Tiene 15 minutos esta semana para hablar de cómo conseguir más reuniones?""",
    "spam": """S: Oportunidad de inversión|Ha ganado un premio|Su cuenta ha sido bloqueada|Factura pendiente
Gana 5.000 euros a la semana desde casa con nuestro sistema.
Felicidades, ha ganado un iPhone; haga clic para reclamar su premio.
Su cuenta ha sido bloqueada; confirme sus datos en este enlace.
Su paquete está retenido; pague la tasa de 2 euros aquí.
Tengo una propuesta confidencial para transferir una herencia millonaria.""",
    "auto_reply": """S: Respuesta automática|Fuera de la oficina|No entregado|Su factura está disponible|Boletín
Gracias por su mensaje; estoy fuera de la oficina hasta el lunes.
Estoy de vacaciones con acceso limitado al correo.
No se pudo entregar su mensaje al destinatario.
Este es un mensaje automático: hemos recibido su solicitud número {ticket}.
En este boletín: novedades del sector. Darse de baja en el enlace.""",
    "other": """S: Pregunta de un estudiante|Consulta de prensa|Invitación|Gracias
Soy estudiante y estoy haciendo un trabajo sobre software de planificación.
Soy periodista y escribo sobre la digitalización de los instaladores.
Les invitamos a nuestro stand en la feria de Madrid.
Gracias a su compañero por la charla en la feria.
Creo que recibí sus correos por error; por favor, bórrenme de la lista.""",
}
