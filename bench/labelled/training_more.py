# ruff: noqa: E501  (one hand-written sentence a line: wrapping would split them)
"""Hand-written sentences the training set is composed from: Italian, Dutch, Portuguese,
Russian and Japanese (training_texts.py has the format)."""

IT = {
    "greet": "Buongiorno,|Salve,|Gentili signori,|Ciao,",
    "sign": "Cordiali saluti,|Grazie,|Distinti saluti,|Un saluto,",
    "intro": """Siamo {company}, un'azienda di impianti a {city} con {employees} dipendenti.
Gestisco le operazioni di {company}; abbiamo {seats} tecnici sul territorio.
Siamo una piccola impresa con {seats} tecnici.""",
    "sales_inquiry": """S: Informazioni sul vostro software|Domanda su Tidewater|Richiesta informazioni
Il vostro sistema gestisce anche i contratti di manutenzione annuali?
L'app per i tecnici funziona senza connessione?
Avete un'integrazione con {tool}?
Stiamo cercando un software per pianificare gli interventi dei tecnici.
È possibile provare Tidewater gratuitamente?""",
    "demo_request": """S: Richiesta di demo|Dimostrazione del prodotto|Presentazione online
Vorremmo vedere una demo di Tidewater con il nostro responsabile.
Potete mostrarci l'applicazione in videochiamata?
Quando sarebbe possibile una dimostrazione la prossima settimana?
Il nostro direttore vorrebbe una presentazione dal vivo della pianificazione.""",
    "pricing_request": """S: Richiesta di preventivo|Prezzi|Quanto costa?
Potete inviarci un preventivo per {seats} tecnici?
Quali sono i prezzi per tecnico al mese?
C'è uno sconto per il pagamento annuale?
Abbiamo un budget di circa {budget} all'anno.""",
    "support": """S: Problema di accesso|Errore nell'app|Fattura {ticket}
Non riesco ad accedere, la password viene rifiutata.
L'app non sincronizza più gli interventi completati.
La fattura {ticket} è stata addebitata due volte.
Come aggiungo un nuovo amministratore?""",
    "partnership": """S: Proposta di partnership|Rivenditore in Italia|Collaborazione
Siamo un system integrator e vorremmo diventare rivenditori di Tidewater in Italia.
Avete un programma partner?
Vorremmo integrare il nostro gestionale con Tidewater.
Proponiamo un webinar congiunto per gli installatori.""",
    "job_application": """S: Candidatura|Candidatura spontanea|Stage
Vi invio la mia candidatura per la posizione di commerciale; allego il CV.
Sono uno sviluppatore e vorrei lavorare nel vostro team.
Cerco uno stage nel supporto clienti.
Siamo un'agenzia di selezione con candidati per la vostra posizione aperta.""",
    "vendor_pitch": """S: Più clienti per voi|Il vostro sito web|Domanda veloce
Siamo un'agenzia SEO e possiamo portare il vostro sito in prima pagina.
Offriamo liste di contatti verificati di aziende italiane.
Avete 15 minuti questa settimana per una breve chiamata?
I nostri sviluppatori possono rafforzare il vostro team da 20 euro l'ora.""",
    "spam": """S: Hai vinto!|Il tuo account è bloccato|Opportunità di investimento
Congratulazioni, hai vinto un premio: clicca qui per riscuoterlo.
Il tuo account è stato sospeso, conferma i tuoi dati al link.
Guadagna 3.000 euro a settimana da casa con le criptovalute.
Il tuo pacco è in attesa, paga la tassa di 2 euro.""",
    "auto_reply": """S: Risposta automatica|Fuori ufficio|Mancato recapito|Newsletter
Sono fuori ufficio fino al 12 e risponderò al mio rientro.
Grazie per il messaggio; sono in ferie con accesso limitato alla posta.
Il messaggio non è stato recapitato al destinatario.
Questa è una risposta automatica: abbiamo ricevuto la sua richiesta n. {ticket}.""",
    "other": """S: Domanda di uno studente|Richiesta stampa|Invito
Sono uno studente e sto scrivendo una tesi sulla digitalizzazione.
Sono un giornalista e scrivo un articolo sul settore.
Vi invitiamo al nostro stand alla fiera di Milano.
Credo di aver ricevuto le vostre email per errore.""",
}

NL = {
    "greet": "Goedemiddag,|Beste,|Hallo,|Geachte heer/mevrouw,",
    "sign": "Met vriendelijke groet,|Groeten,|Bedankt,|Hartelijke groet,",
    "intro": """Wij zijn {company}, een installatiebedrijf in {city} met {employees} medewerkers.
Ik beheer de planning bij {company}; we hebben {seats} monteurs.
Wij zijn een familiebedrijf met {seats} servicemonteurs.""",
    "sales_inquiry": """S: Vraag over Tidewater|Informatie over uw software|Past Tidewater bij ons?
Ondersteunt Tidewater terugkerende onderhoudscontracten?
Werkt de app voor monteurs ook offline?
Is er een koppeling met {tool}?
Wij zoeken software om onze werkbonnen te digitaliseren.
Kunnen we Tidewater eerst gratis uitproberen?""",
    "demo_request": """S: Demo aanvraag|Graag een demonstratie|Online presentatie
Graag plannen we een online demo van Tidewater in.
Kunt u ons de planningsmodule live laten zien?
Wanneer heeft u tijd voor een demonstratie volgende week?
Onze directeur wil de app graag zien in een videogesprek.""",
    "pricing_request": """S: Offerte aanvraag|Prijzen|Wat kost het?
Kunt u ons een offerte sturen voor {seats} monteurs?
Wat kost Tidewater per gebruiker per maand?
Is er korting bij jaarlijkse betaling?
Ons budget is ongeveer {budget} per jaar.""",
    "support": """S: Probleem met inloggen|Fout in de app|Factuur {ticket}
Ik kan niet meer inloggen, mijn wachtwoord wordt geweigerd.
De app synchroniseert de werkbonnen niet meer.
Factuur {ticket} is twee keer afgeschreven.
Hoe voeg ik een nieuwe beheerder toe?""",
    "partnership": """S: Samenwerkingsvoorstel|Reseller in Nederland|Partnerprogramma
Wij willen Tidewater graag als reseller in de Benelux aanbieden.
Heeft u een partnerprogramma?
Wij maken voorraadsoftware en willen een koppeling met Tidewater bouwen.
Zullen we samen een webinar voor installateurs organiseren?""",
    "job_application": """S: Sollicitatie|Open sollicitatie|Stage
Hierbij solliciteer ik naar de functie van accountmanager; mijn cv zit in de bijlage.
Ik ben ontwikkelaar en wil graag bij jullie werken.
Ik zoek een stageplek bij de klantenservice.
Wij zijn een recruitmentbureau met kandidaten voor uw vacature.""",
    "vendor_pitch": """S: Meer klanten|Uw website|Korte vraag
Wij zorgen dat uw website bovenaan in Google komt.
Wij leveren geverifieerde contactlijsten van facilitair managers.
Heeft u deze week 15 minuten voor een kort gesprek?
Onze developers kunnen uw team versterken vanaf 25 euro per uur.""",
    "spam": """S: U heeft gewonnen!|Uw account is geblokkeerd|Beleggingskans
Gefeliciteerd, u heeft een prijs gewonnen; klik hier om hem op te halen.
Uw account is geblokkeerd, bevestig uw gegevens via de link.
Verdien 3.000 euro per week met onze cryptobot.
Uw pakket wacht op bezorging, betaal de kosten van 2 euro.""",
    "auto_reply": """S: Automatisch antwoord|Afwezig|Onbestelbaar|Nieuwsbrief
Ik ben afwezig tot maandag en heb beperkt toegang tot mijn e-mail.
Bedankt voor uw bericht; ik ben met vakantie.
Uw bericht kon niet worden afgeleverd.
Dit is een automatisch antwoord: wij hebben uw aanvraag {ticket} ontvangen.""",
    "other": """S: Vraag van een student|Persvraag|Uitnodiging
Ik ben student en schrijf een scriptie over planningssoftware.
Ik ben journalist en schrijf over digitalisering in de installatiebranche.
Wij nodigen u uit op onze stand op de beurs in Utrecht.
Ik denk dat ik uw e-mails per ongeluk ontvang.""",
}

PT = {
    "greet": "Olá,|Bom dia,|Boa tarde,|Prezados,",
    "sign": "Cumprimentos,|Obrigado,|Atenciosamente,|Um abraço,",
    "intro": """Somos a {company}, uma empresa de manutenção em {city} com {employees} funcionários.
Sou responsável pelas operações da {company}; temos {seats} técnicos.
Somos uma empresa familiar com {seats} técnicos.""",
    "sales_inquiry": """S: Informações sobre o Tidewater|Dúvida sobre o software|Pergunta
O aplicativo dos técnicos funciona sem internet?
Vocês têm integração com {tool}?
Estamos procurando um sistema para planejar as visitas técnicas.
O sistema gerencia contratos de manutenção recorrentes?
É possível testar o Tidewater gratuitamente?""",
    "demo_request": """S: Pedido de demonstração|Demo do produto|Apresentação online
Gostaríamos de agendar uma demonstração do Tidewater.
Podem nos mostrar o aplicativo numa videochamada?
Qual horário seria possível para uma demo na próxima semana?
O nosso diretor quer ver a plataforma ao vivo antes de decidir.""",
    "pricing_request": """S: Pedido de orçamento|Preços|Quanto custa?
Gostaríamos de receber um orçamento para {seats} técnicos.
Qual é o preço por técnico por mês?
Há desconto no pagamento anual?
Temos um orçamento de cerca de {budget} por ano.""",
    "support": """S: Problema de acesso|Erro no aplicativo|Fatura {ticket}
Não consigo entrar, a senha é recusada.
O aplicativo não sincroniza mais as ordens de serviço.
A fatura {ticket} foi cobrada duas vezes.
Como adiciono um novo administrador?""",
    "partnership": """S: Proposta de parceria|Revenda no Brasil|Programa de parceiros
Somos integradores e queremos revender o Tidewater no Brasil.
Vocês têm um programa de parceiros?
Desenvolvemos um software de faturamento e queremos uma integração com vocês.
Propomos um webinar conjunto para instaladores.""",
    "job_application": """S: Candidatura|Candidatura espontânea|Estágio
Envio a minha candidatura para a vaga de vendas; segue o meu currículo.
Sou desenvolvedor e gostaria de trabalhar na vossa equipa.
Procuro um estágio no apoio ao cliente.
Somos uma agência de recrutamento com candidatos para a vossa vaga.""",
    "vendor_pitch": """S: Mais clientes|O seu site|Pergunta rápida
Colocamos o seu site na primeira página do Google em 90 dias.
Oferecemos listas de contactos verificados de empresas.
Tem 15 minutos esta semana para uma conversa rápida?
Os nossos programadores podem reforçar a sua equipa a partir de 20 euros por hora.""",
    "spam": """S: Você ganhou!|Sua conta foi bloqueada|Oportunidade de investimento
Parabéns, você ganhou um prêmio: clique aqui para resgatar.
Sua conta foi suspensa, confirme os seus dados no link.
Ganhe 3.000 euros por semana com o nosso robô de criptomoedas.
A sua encomenda está retida, pague a taxa de 2 euros.""",
    "auto_reply": """S: Resposta automática|Fora do escritório|Não entregue|Newsletter
Estou fora do escritório até segunda-feira.
Obrigado pela mensagem; estou de férias com acesso limitado ao e-mail.
Não foi possível entregar a sua mensagem ao destinatário.
Esta é uma resposta automática: recebemos o seu pedido n.º {ticket}.""",
    "other": """S: Pergunta de um estudante|Pedido de imprensa|Convite
Sou estudante e estou a fazer um trabalho sobre software de planeamento.
Sou jornalista e escrevo sobre a digitalização do setor.
Convidamos a vossa equipa para o nosso stand na feira de Lisboa.
Acho que recebi os vossos e-mails por engano.""",
}

RU = {
    "greet": "Здравствуйте,|Добрый день,|Уважаемые коллеги,",
    "sign": "С уважением,|Спасибо,|Всего доброго,",
    "intro": """Мы компания {company} из города {city}, у нас {employees} сотрудников.
У нас {seats} выездных техников.""",
    "sales_inquiry": """S: Вопрос о Tidewater|Информация о вашей системе|Вопрос
Поддерживает ли Tidewater регулярные договоры на обслуживание?
Работает ли приложение для техников без интернета?
Есть ли интеграция с {tool}?
Мы ищем систему для планирования выездов наших техников.
Подходит ли ваша система для компании по обслуживанию лифтов?
Можно ли хранить данные клиентов на серверах в Европе?
Есть ли бесплатный пробный период?""",
    "demo_request": """S: Запрос демонстрации|Демо для нашей команды|Презентация продукта
Хотели бы посмотреть демонстрацию Tidewater на следующей неделе.
Можете показать приложение по видеосвязи?
Нашему директору нужна онлайн-презентация системы.
Проведите, пожалуйста, демо для нашего отдела диспетчеров.
Когда можно организовать показ системы онлайн?
Хотим увидеть планирование маршрутов вживую, назначьте встречу.""",
    "pricing_request": """S: Запрос цены|Коммерческое предложение|Сколько стоит?
Пришлите, пожалуйста, коммерческое предложение на {seats} пользователей.
Сколько стоит лицензия на одного техника в месяц?
Есть ли скидка при оплате за год?
Какая цена за пользователя при годовом договоре?
Нужен расчёт стоимости для {seats} техников и трёх диспетчеров.
Сколько стоит внедрение и обучение?""",
    "support": """S: Не могу войти|Ошибка в приложении|Счёт {ticket}
Не могу войти в систему, пароль не принимается.
Приложение перестало синхронизировать выполненные заявки.
Счёт {ticket} был списан дважды.
После обновления в отчёте пропала подпись клиента.
Как добавить нового администратора в аккаунт?
Экспорт заявок в CSV выдаёт ошибку.""",
    "partnership": """S: Предложение о партнёрстве|Дистрибуция|Партнёрская программа
Мы интегратор и хотим стать дистрибьютором Tidewater.
Есть ли у вас партнёрская программа?
Предлагаем сделать интеграцию нашей складской системы с Tidewater.
Мы разрабатываем бухгалтерскую программу и предлагаем совместную интеграцию.
Готовы продавать Tidewater в Казахстане как реселлер.
Предлагаем совместный вебинар для наших клиентов.""",
    "job_application": """S: Резюме|Отклик на вакансию|Стажировка
Хочу откликнуться на вакансию менеджера по продажам, резюме во вложении.
Я разработчик и хотел бы работать в вашей команде.
Ищу стажировку в службе поддержки.
Направляю своё резюме на позицию инженера поддержки.
Наше кадровое агентство подберёт кандидатов на вашу вакансию.
Я студент и ищу работу на лето в IT.""",
    "vendor_pitch": """S: Больше клиентов|Ваш сайт|Короткий вопрос
Мы выведем ваш сайт на первую страницу поиска.
Предлагаем базы контактов руководителей компаний.
Найдётся 15 минут на короткий звонок на этой неделе?
Наше агентство настроит рекламу и приведёт вам новых клиентов.
Предлагаем услуги аутсорсинга разработки от 15 долларов в час.
Сделаем аудит вашего сайта бесплатно.""",
    "spam": """S: Вы выиграли!|Ваш аккаунт заблокирован|Инвестиции
Поздравляем, вы выиграли приз, перейдите по ссылке.
Ваш аккаунт заблокирован, подтвердите данные по ссылке.
Зарабатывайте 300 000 рублей в неделю на криптовалюте.
Ваш пароль истекает, обновите его по ссылке.
Вам положена компенсация, введите данные карты.
Срочно: ваша посылка задержана на таможне.""",
    "auto_reply": """S: Автоответ|Нет на месте|Сообщение не доставлено
Я в отпуске до понедельника и отвечу после возвращения.
Это автоматический ответ: ваша заявка {ticket} получена.
Ваше сообщение не может быть доставлено получателю.
Спасибо за письмо, я в командировке до пятницы.
Ежемесячная рассылка: новости отрасли. Отписаться можно по ссылке.
Ваш счёт за месяц доступен в личном кабинете, это автоматическое уведомление.""",
    "other": """S: Вопрос студента|Запрос прессы|Приглашение
Я студент и пишу дипломную работу о программах планирования.
Я журналист и пишу статью о цифровизации сервиса.
Приглашаем вас на наш стенд на выставке.
Благодарим вашу команду за встречу на конференции.
Кажется, ваши письма приходят мне по ошибке.
Можно ли взять у вас интервью для отраслевого журнала?""",
}

JA = {
    "greet": "お世話になっております。|はじめまして。|こんにちは。",
    "sign": "よろしくお願いいたします。|以上、よろしくお願いします。|ありがとうございます。",
    "intro": """{company}の{last}と申します。従業員は{employees}名です。
弊社には{seats}名の技術者がおります。""",
    "sales_inquiry": """S: Tidewaterについての質問|製品について|お問い合わせ
Tidewaterは定期メンテナンス契約に対応していますか。
技術者用アプリはオフラインでも使えますか。
{tool}との連携は可能でしょうか。
技術者の訪問スケジュールを管理するシステムを探しています。
データは日本国内のサーバーに保存されますか。
無料トライアルはありますか。
エレベーター保守の会社でも使えるでしょうか。""",
    "demo_request": """S: デモのお願い|製品デモの依頼|オンライン説明会
来週、Tidewaterのデモを見せていただけますか。
オンラインで製品のデモをお願いしたいです。
社長と一緒にデモを拝見したいので、日程をご提案ください。
オンラインで画面を見ながら説明していただけますか。
配車画面の実演をお願いできますか。
ご都合の良い日時にデモの打ち合わせをお願いします。""",
    "pricing_request": """S: お見積りのお願い|料金について|価格の問い合わせ
{seats}名分の見積もりをお送りいただけますか。
技術者一人あたりの月額料金を教えてください。
年払いの割引はありますか。
年間契約の場合の料金を教えてください。
導入費用と研修費用はいくらですか。
{seats}名で利用した場合の価格表をいただけますか。""",
    "support": """S: ログインできません|アプリの不具合|請求書{ticket}について
今朝からログインできず、パスワードが拒否されます。
アプリで完了した作業が同期されません。
請求書{ticket}が二重に請求されています。
アップデート後、報告書のPDFに署名が表示されません。
管理者を追加する方法を教えてください。
CSVのエクスポートでエラーが出ます。""",
    "partnership": """S: 提携のご提案|販売代理店について|パートナープログラム
弊社は日本でTidewaterの販売代理店になりたいと考えています。
パートナープログラムはありますか。
弊社の在庫管理システムとの連携を一緒に開発しませんか。
弊社の会計ソフトとの共同連携をご提案します。
共同でウェビナーを開催しませんか。
紹介パートナー契約について相談したいです。""",
    "job_application": """S: 応募について|求人への応募|インターンシップ
営業職の求人に応募いたします。履歴書を添付しました。
エンジニアとして御社で働きたいと考えています。
カスタマーサポートのインターンシップを希望しています。
サポートエンジニアの職に応募したく、職務経歴書をお送りします。
人材紹介会社として候補者をご紹介できます。
夏休みのアルバイトを探している学生です。""",
    "vendor_pitch": """S: 集客のご提案|ホームページについて|少しだけお時間を
御社のサイトを検索結果の1ページ目に表示させます。
企業の担当者リストを販売しております。
今週15分ほどお電話でお話しできませんか。
広告運用を代行して新規顧客を増やします。
開発の外注を時給2000円から承ります。
ホームページの無料診断を実施しています。""",
    "spam": """S: 当選のお知らせ|アカウントが停止されました|投資のチャンス
おめでとうございます。賞金に当選しました。こちらをクリックしてください。
お客様のアカウントは停止されました。リンクから情報を確認してください。
仮想通貨で毎週30万円稼げます。
パスワードの有効期限が切れます。リンクから更新してください。
お荷物をお届けできませんでした。手数料をお支払いください。
未払いの請求があります。至急こちらから確認してください。""",
    "auto_reply": """S: 自動返信|不在のお知らせ|配信エラー
月曜日まで不在にしております。戻り次第ご連絡いたします。
これは自動返信です。お問い合わせ番号{ticket}を受け付けました。
メッセージを配信できませんでした。
出張中のため、金曜日まで返信が遅れます。
月次のご請求書を発行しました。本メールは自動送信です。
ニュースレター：業界の最新情報。配信停止はこちら。""",
    "other": """S: 学生からの質問|取材のお願い|展示会のご案内
大学の卒業論文のためにアンケートにご協力いただけますか。
記者として業界のデジタル化について記事を書いています。
展示会の弊社ブースにご招待いたします。
展示会ではありがとうございました。
メールが誤って届いているようです。
業界誌の取材をお願いできますでしょうか。""",
}
