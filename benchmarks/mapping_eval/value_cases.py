"""Value-mapping cases: raw cells as exports spell them -> the option they mean (None: no option).

Tune: invoice status, energy, employment type, customer countries, built-in vehicle types;
later (``NEW_DOMAINS``) ticket types, fuels, room types, booking channels, lead sources and
statuses, IT asset categories and statuses; then (``NEW_DOMAINS_2``) insurance lines, statuses and
payment frequencies, course roles and statuses, kitchen stock units and storage; then
(``NEW_DOMAINS_3``) ticket priorities, statuses and channels, subscription periods, statuses and
plans, donation sources; then (``NEW_DOMAINS_4``) production order statuses; then
(``NEW_DOMAINS_5``) applicant stages and sources, membership types and statuses.
Held out: expense categories and payment methods, shipment countries, bank currencies.
"""

from __future__ import annotations

ValueCase = tuple[str, str, str, str | None]
"""(template id, column key, raw value, expected option value or None)."""

TUNE: list[ValueCase] = [
    *[
        ("invoices", "status", raw, "paid")
        for raw in ["Pagada", "Cobrada", "Payée", "Bezahlt", "Pagata", "Paga", "PAID", "piad"]
    ],
    *[
        ("invoices", "status", raw, "sent")
        for raw in ["Enviada", "Envoyée", "Versendet", "Inviata", "Emitida", "Sent to customer"]
    ],
    *[
        ("invoices", "status", raw, "draft")
        for raw in ["Borrador", "Brouillon", "Entwurf", "Bozza", "Rascunho"]
    ],
    *[
        ("invoices", "status", raw, "overdue")
        for raw in ["Vencida", "En retard", "Überfällig", "Scaduta", "Em atraso", "Past due"]
    ],
    ("invoices", "status", "Anulada", None),
    *[
        ("meter_readings", "energy_type", raw, "electricity")
        for raw in [
            "Electricidad",
            "Strom",
            "Électricité",
            "Energia elettrica",
            "Eletricidade",
            "Elec",
            "Luz",
        ]
    ],
    *[
        ("meter_readings", "energy_type", raw, "natural_gas")
        for raw in ["Gas natural", "Erdgas", "Gaz naturel", "Gas naturale", "Gás natural", "Gas"]
    ],
    ("meter_readings", "energy_type", "Agua", None),
    *[
        ("employees", "employment_type", raw, "full_time")
        for raw in [
            "Jornada completa",
            "Vollzeit",
            "Temps plein",
            "Tempo pieno",
            "Tempo integral",
            "FT",
            "Full time",
        ]
    ],
    *[
        ("employees", "employment_type", raw, "part_time")
        for raw in [
            "Media jornada",
            "Jornada parcial",
            "Teilzeit",
            "Temps partiel",
            "Part time",
            "PT",
        ]
    ],
    *[
        ("employees", "employment_type", raw, "contractor")
        for raw in ["Autónomo", "Freelance", "Freiberufler", "Prestataire", "Contractor (1099)"]
    ],
    *[
        ("employees", "employment_type", raw, "intern")
        for raw in ["Becario", "Prácticas", "Praktikant", "Stagiaire", "Stagista", "Estagiário"]
    ],
    *[
        ("customers", "country", raw, "ES")
        for raw in ["España", "Espagne", "Spanien", "Spagna", "Espanha", "ESP", "Spian"]
    ],
    *[
        ("customers", "country", raw, "DE")
        for raw in ["Alemania", "Allemagne", "Deutschland", "Germania", "Alemanha", "Germnay"]
    ],
    *[
        ("customers", "country", raw, "GB")
        for raw in ["Reino Unido", "Royaume-Uni", "Vereinigtes Königreich", "UK", "Great Britain"]
    ],
    *[
        ("customers", "country", raw, "US")
        for raw in ["Estados Unidos", "EE.UU.", "USA", "Vereinigte Staaten", "États-Unis"]
    ],
    ("customers", "country", "Atlantis", None),
    ("logistics_requests", "vehicle_type", "Camión articulado", None),
    ("logistics_requests", "vehicle_type", "Camión articulado > 33 t", "articulated_truck_gt_33t"),
    ("logistics_requests", "vehicle_type", "Sattelzug > 33 t", "articulated_truck_gt_33t"),
    ("logistics_requests", "vehicle_type", "Fourgonnette", "van_lt_3_5t"),
    ("logistics_requests", "vehicle_type", "Furgone", "van_lt_3_5t"),
    ("logistics_requests", "vehicle_type", "Voiture", "car"),
    ("logistics_requests", "vehicle_type", "PKW", "car"),
]

NEW_DOMAINS: list[ValueCase] = [
    *[
        ("event_registrations", "ticket_type", raw, "general")
        for raw in [
            "Entrada general",
            "Entrée générale",
            "Normales Ticket",
            "Ingresso inteiro",
            "Biglietto intero",
            "General Admission",
            "GA",
        ]
    ],
    *[
        ("event_registrations", "ticket_type", raw, "student")
        for raw in [
            "Estudiante",
            "Étudiant",
            "Studierende",
            "Estudante",
            "Studente",
            "Student ticket",
            "Meia-entrada estudante",
        ]
    ],
    *[
        ("event_registrations", "ticket_type", raw, "early_bird")
        for raw in [
            "Preventa",
            "Early Bird",
            "Frühbucher",
            "Lote promocional Early bird",
            "Tarif early bird",
        ]
    ],
    ("event_registrations", "ticket_type", "VIP Pass", "vip"),
    ("event_registrations", "ticket_type", "Invitación prensa", None),
    *[
        ("fleet_vehicles", "fuel_type", raw, "diesel")
        for raw in ["Gasóleo", "Gazole", "Gasolio", "Gasóleo A", "Diésel", "DSL"]
    ],
    *[
        ("fleet_vehicles", "fuel_type", raw, "petrol")
        for raw in ["Gasolina", "Essence", "Benzin", "Benzina", "Gasoline", "Super 95"]
    ],
    *[
        ("fleet_vehicles", "fuel_type", raw, "electric")
        for raw in ["Eléctrico", "Électrique", "Elektro", "Elettrico", "Elétrico", "EV", "BEV"]
    ],
    *[
        ("fleet_vehicles", "fuel_type", raw, "hybrid")
        for raw in ["Híbrido", "Hybride", "Ibrido", "Hybrid (HEV)", "Hybrid"]
    ],
    ("fleet_vehicles", "fuel_type", "Hidrógeno", None),
    *[
        ("hotel_bookings", "room_type", raw, "double")
        for raw in [
            "Doble",
            "Chambre double",
            "Doppelzimmer",
            "Camera doppia",
            "Quarto duplo",
            "DBL",
            "Double Room",
        ]
    ],
    *[
        ("hotel_bookings", "room_type", raw, "single")
        for raw in ["Individual", "Chambre simple", "Einzelzimmer", "Camera singola", "SGL"]
    ],
    *[
        ("hotel_bookings", "room_type", raw, "twin")
        for raw in ["Doble 2 camas", "Chambre twin", "Zweibettzimmer", "Camera twin", "TWN"]
    ],
    ("hotel_bookings", "room_type", "Junior Suite", "suite"),
    ("hotel_bookings", "room_type", "Apartamento", None),
    *[
        ("hotel_bookings", "channel", raw, "direct")
        for raw in ["Directo", "Direct", "Direkt", "Diretto", "Direto", "Web propia"]
    ],
    *[
        ("hotel_bookings", "channel", raw, "booking_com")
        for raw in ["Booking", "booking.com", "BDC", "Booking.com (OTA)"]
    ],
    *[
        ("hotel_bookings", "channel", raw, "travel_agent")
        for raw in [
            "Agencia de viajes",
            "Agence de voyages",
            "Reisebüro",
            "Agenzia viaggi",
            "Agência de viagens",
            "TA",
        ]
    ],
    ("hotel_bookings", "channel", "Expedia Group", "expedia"),
    *[
        ("crm_leads", "lead_source", raw, "web")
        for raw in ["Web", "Sitio web", "Site web", "Webseite", "Sito web", "Site", "Website form"]
    ],
    *[
        ("crm_leads", "lead_source", raw, "referral")
        for raw in [
            "Recomendación",
            "Recommandation",
            "Empfehlung",
            "Referenza",
            "Indicação",
            "Partner referral",
        ]
    ],
    *[
        ("crm_leads", "lead_source", raw, "trade_show")
        for raw in ["Feria", "Salon", "Messe", "Fiera", "Feira", "Tradeshow"]
    ],
    *[
        ("crm_leads", "lead_source", raw, "cold_call")
        for raw in [
            "Llamada en frío",
            "Appel à froid",
            "Kaltakquise",
            "Chiamata a freddo",
            "Cold Calling",
        ]
    ],
    ("crm_leads", "lead_source", "Publicidad", "advertising"),
    ("crm_leads", "lead_source", "Google Ads", "advertising"),
    *[
        ("crm_leads", "lead_status", raw, "new")
        for raw in ["Nuevo", "Nouveau", "Neu", "Nuovo", "Novo", "Open - Not Contacted"]
    ],
    *[
        ("crm_leads", "lead_status", raw, "contacted")
        for raw in ["Contactado", "Contacté", "Kontaktiert", "Contattato", "Working - Contacted"]
    ],
    *[
        ("crm_leads", "lead_status", raw, "qualified")
        for raw in ["Cualificado", "Qualifié", "Qualifiziert", "Qualificato", "Qualificado"]
    ],
    *[
        ("crm_leads", "lead_status", raw, "lost")
        for raw in ["Perdido", "Perdu", "Verloren", "Perso", "Closed - Not Converted"]
    ],
    *[
        ("it_assets", "category", raw, "laptop")
        for raw in ["Portátil", "Ordinateur portable", "Notebook", "Portatile", "Portable"]
    ],
    *[
        ("it_assets", "category", raw, "desktop")
        for raw in ["Sobremesa", "PC fixe", "Desktop-PC", "PC fisso", "Computador de mesa"]
    ],
    *[
        ("it_assets", "category", raw, "monitor")
        for raw in ["Pantalla", "Écran", "Bildschirm", "Schermo", "Monitor"]
    ],
    *[
        ("it_assets", "category", raw, "phone")
        for raw in ["Móvil", "Téléphone", "Smartphone", "Telefono cellulare", "Celular"]
    ],
    ("it_assets", "category", "Impresora", "printer"),
    ("it_assets", "category", "Drucker", "printer"),
    *[
        ("it_assets", "status", raw, "deployed")
        for raw in ["Asignado", "Affecté", "Ausgegeben", "Assegnato", "Em uso", "In use"]
    ],
    *[
        ("it_assets", "status", raw, "repair")
        for raw in ["En reparación", "En réparation", "In Reparatur", "In riparazione", "Em reparo"]
    ],
    *[
        ("it_assets", "status", raw, "retired")
        for raw in ["Dado de baja", "Réformé", "Ausgemustert", "Dismesso", "Baixado", "Archived"]
    ],
    *[
        ("it_assets", "status", raw, "ready")
        for raw in ["Disponible", "En stock", "Verfügbar", "Disponibile", "Ready to Deploy"]
    ],
]
"""Option labels of the five domains added to tune for issue 10."""

NEW_DOMAINS_2: list[ValueCase] = [
    *[
        ("insurance_policies", "line_of_business", raw, "motor")
        for raw in ["Automóvil", "Auto", "Kfz", "Kraftfahrt", "RC Auto", "Automóvel", "Car"]
    ],
    *[
        ("insurance_policies", "line_of_business", raw, "home")
        for raw in ["Hogar", "Habitation", "Wohngebäude", "Casa", "Multirriesgo hogar"]
    ],
    *[
        ("insurance_policies", "line_of_business", raw, "life")
        for raw in ["Vida", "Vie", "Leben", "Vita", "Lebensversicherung"]
    ],
    *[
        ("insurance_policies", "line_of_business", raw, "health")
        for raw in ["Salud", "Santé", "Kranken", "Salute", "Saúde"]
    ],
    *[
        ("insurance_policies", "policy_status", raw, "active")
        for raw in ["Vigente", "En vigueur", "Aktiv", "In vigore", "Em vigor", "In force"]
    ],
    *[
        ("insurance_policies", "policy_status", raw, "cancelled")
        for raw in ["Anulada", "Résilié", "Storniert", "Annullata", "Anulada", "Canceled"]
    ],
    ("insurance_policies", "policy_status", "Pendiente", "pending"),
    ("insurance_policies", "policy_status", "Caducada", "lapsed"),
    *[
        ("insurance_policies", "payment_frequency", raw, "monthly")
        for raw in ["Mensual", "Mensuel", "Monatlich", "Mensile", "Mensal"]
    ],
    *[
        ("insurance_policies", "payment_frequency", raw, "quarterly")
        for raw in ["Trimestral", "Trimestriel", "Vierteljährlich", "Trimestrale"]
    ],
    *[
        ("insurance_policies", "payment_frequency", raw, "annual")
        for raw in ["Anual", "Annuel", "Jährlich", "Annuale", "Yearly"]
    ],
    *[
        ("course_enrolments", "course_role", raw, "student")
        for raw in ["Estudiante", "Étudiant", "Teilnehmer", "Studente", "Aluno", "Learner"]
    ],
    *[
        ("course_enrolments", "course_role", raw, "teacher")
        for raw in ["Profesor", "Enseignant", "Lehrer", "Docente", "Professor", "editingteacher"]
    ],
    *[
        ("course_enrolments", "enrolment_status", raw, "completed")
        for raw in ["Completado", "Terminé", "Abgeschlossen", "Completato", "Concluído"]
    ],
    *[
        ("course_enrolments", "enrolment_status", raw, "withdrawn")
        for raw in ["Baja", "Abandon", "Abgebrochen", "Ritirato", "Desistente"]
    ],
    ("course_enrolments", "enrolment_status", "Activo", "active"),
    ("course_enrolments", "enrolment_status", "Suspendu", "suspended"),
    *[
        ("stock_items", "stock_unit", raw, "kg")
        for raw in ["Kilo", "kilogramo", "Kilogramm", "chilogrammo", "KG"]
    ],
    *[("stock_items", "stock_unit", raw, "l") for raw in ["Litro", "Liter", "Litre", "lt", "L"]],
    *[
        ("stock_items", "stock_unit", raw, "each")
        for raw in ["Unidad", "Pièce", "Stück", "Pezzo", "Unidade", "ea"]
    ],
    *[
        ("stock_items", "stock_unit", raw, "case")
        for raw in ["Caja", "Carton", "Karton", "Cassa", "Caixa", "cs"]
    ],
    *[
        ("stock_items", "storage", raw, "fridge")
        for raw in [
            "Nevera",
            "Cámara frigorífica",
            "Réfrigérateur",
            "Kühlschrank",
            "Frigo",
            "Frigorífico",
            "Walk-in cooler",
        ]
    ],
    *[
        ("stock_items", "storage", raw, "freezer")
        for raw in ["Congelador", "Congélateur", "Tiefkühler", "Congelatore", "Arca congeladora"]
    ],
    *[
        ("stock_items", "storage", raw, "dry")
        for raw in ["Almacén seco", "Réserve sèche", "Trockenlager", "Dispensa", "Economato"]
    ],
]
"""Options of the three domains added second to tune for issue 10."""

NEW_DOMAINS_3: list[ValueCase] = [
    *[
        ("support_tickets", "priority", raw, "high")
        for raw in ["Alta", "Haute", "Hoch", "Elevata", "High priority"]
    ],
    *[
        ("support_tickets", "priority", raw, "low")
        for raw in ["Baja", "Basse", "Niedrig", "Bassa", "Baixa"]
    ],
    *[
        ("support_tickets", "priority", raw, "urgent")
        for raw in ["Urgente", "Dringend", "Urgent!", "Crítica"]
    ],
    ("support_tickets", "priority", "Media", "normal"),
    ("support_tickets", "priority", "Mittel", "normal"),
    *[
        ("support_tickets", "ticket_status", raw, "open")
        for raw in ["Abierto", "Ouvert", "Offen", "Aperto", "Aberto", "New"]
    ],
    *[
        ("support_tickets", "ticket_status", raw, "solved")
        for raw in ["Resuelto", "Résolu", "Gelöst", "Risolto", "Resolvido", "Resolved"]
    ],
    *[
        ("support_tickets", "ticket_status", raw, "closed")
        for raw in ["Cerrado", "Fermé", "Geschlossen", "Chiuso", "Fechado"]
    ],
    ("support_tickets", "ticket_status", "En espera", "pending"),
    *[
        ("support_tickets", "contact_channel", raw, "phone")
        for raw in ["Teléfono", "Téléphone", "Telefon", "Telefono", "Voice"]
    ],
    *[
        ("support_tickets", "contact_channel", raw, "web")
        for raw in ["Formulario web", "Formulaire web", "Webformular", "Portal"]
    ],
    ("support_tickets", "contact_channel", "Correo electrónico", "email"),
    ("support_tickets", "contact_channel", "Messenger", None),
    *[
        ("subscriptions", "billing_period", raw, "month")
        for raw in ["Mensual", "Mensuel", "Monatlich", "Mensile", "month", "Mensal"]
    ],
    *[
        ("subscriptions", "billing_period", raw, "year")
        for raw in ["Anual", "Annuel", "Jährlich", "Annuale", "year", "Annual"]
    ],
    *[
        ("subscriptions", "subscription_status", raw, "trial")
        for raw in ["En prueba", "En essai", "Testphase", "In prova", "in_trial", "Trialing"]
    ],
    *[
        ("subscriptions", "subscription_status", raw, "paused")
        for raw in ["Pausada", "En pause", "Pausiert", "In pausa", "Pausado"]
    ],
    *[
        ("subscriptions", "subscription_status", raw, "cancelled")
        for raw in ["Cancelada", "Résilié", "Gekündigt", "Disdetto", "canceled"]
    ],
    ("subscriptions", "subscription_status", "Activa", "active"),
    ("subscriptions", "plan", "Empresa", "enterprise"),
    ("subscriptions", "plan", "Básico", "basic"),
    ("subscriptions", "plan", "Professional", "pro"),
    *[
        ("donations", "gift_source", raw, "online")
        for raw in ["En línea", "En ligne", "Web", "Sito web", "Internet"]
    ],
    *[
        ("donations", "gift_source", raw, "event")
        for raw in ["Evento", "Événement", "Veranstaltung", "Gala"]
    ],
    *[
        ("donations", "gift_source", raw, "mail")
        for raw in ["Correo postal", "Courrier", "Post", "Posta", "Correio"]
    ],
    ("donations", "gift_source", "Teléfono", "phone"),
]
"""Options of the third batch of tune domains for issue 10."""

NEW_DOMAINS_4: list[ValueCase] = [
    *[
        ("work_orders", "order_status", raw, "released")
        for raw in ["Liberada", "Lancé", "Freigegeben", "Rilasciato", "FREI", "Confirmed"]
    ],
    *[
        ("work_orders", "order_status", raw, "in_progress")
        for raw in ["En curso", "En cours", "In Bearbeitung", "In corso", "Em curso", "progress"]
    ],
    *[
        ("work_orders", "order_status", raw, "completed")
        for raw in ["Terminada", "Terminé", "Abgeschlossen", "Completato", "Done", "TECO"]
    ],
    *[
        ("work_orders", "order_status", raw, "on_hold")
        for raw in ["En espera", "En attente", "Angehalten", "Sospeso", "Blocked"]
    ],
]
"""Options of the fourth batch of tune domains for issue 10."""

NEW_DOMAINS_5: list[ValueCase] = [
    *[
        ("job_applicants", "stage", raw, "interview")
        for raw in ["Entrevista", "Entretien", "Vorstellungsgespräch", "Colloquio", "Phone Screen"]
    ],
    *[
        ("job_applicants", "stage", raw, "rejected")
        for raw in ["Rechazado", "Refusé", "Abgelehnt", "Scartato", "Rejeitado"]
    ],
    *[
        ("job_applicants", "stage", raw, "hired")
        for raw in ["Contratado", "Embauché", "Eingestellt", "Assunto"]
    ],
    ("job_applicants", "stage", "Oferta", "offer"),
    ("job_applicants", "stage", "Candidatura recibida", "applied"),
    *[
        ("job_applicants", "candidate_source", raw, "job_board")
        for raw in ["LinkedIn", "Indeed", "Portal de empleo", "Jobbörse", "Job board"]
    ],
    *[
        ("job_applicants", "candidate_source", raw, "career_site")
        for raw in ["Web de empleo", "Page carrières", "Karriereseite", "Sito carriere"]
    ],
    ("job_applicants", "candidate_source", "Empleado", "referral"),
    ("job_applicants", "candidate_source", "Agencia de selección", "agency"),
    *[
        ("memberships", "membership_type", raw, "family")
        for raw in ["Familiar", "Famille", "Familie", "Famiglia", "Família"]
    ],
    *[
        ("memberships", "membership_type", raw, "student")
        for raw in ["Estudiante", "Étudiant", "Student", "Studente"]
    ],
    ("memberships", "membership_type", "Básica", "basic"),
    ("memberships", "membership_type", "Premium Plus", "premium"),
    *[
        ("memberships", "member_status", raw, "frozen")
        for raw in ["Congelado", "Suspendu", "Pausiert", "Sospeso", "On hold"]
    ],
    *[
        ("memberships", "member_status", raw, "cancelled")
        for raw in ["Baja", "Résilié", "Gekündigt", "Disdetto"]
    ],
    ("memberships", "member_status", "Alta", "active"),
]
"""Options of the fifth batch of tune domains for issue 10."""

HELD_OUT: list[ValueCase] = [
    *[
        ("expenses", "category", raw, "travel")
        for raw in ["Viajes", "Reisekosten", "Voyage", "Viaggi", "Viagens", "Travel expenses"]
    ],
    *[
        ("expenses", "category", raw, "meals")
        for raw in ["Comidas", "Restauration", "Bewirtung", "Pasti", "Refeições", "Meal"]
    ],
    *[
        ("expenses", "category", raw, "lodging")
        for raw in ["Alojamiento", "Hébergement", "Übernachtung", "Alloggio", "Alojamento", "Hotel"]
    ],
    *[
        ("expenses", "category", raw, "fuel")
        for raw in [
            "Combustible",
            "Carburant",
            "Kraftstoff",
            "Carburante",
            "Combustível",
            "Gasolina",
        ]
    ],
    *[
        ("expenses", "category", raw, "office")
        for raw in [
            "Material de oficina",
            "Fournitures de bureau",
            "Büromaterial",
            "Cancelleria",
            "Office",
        ]
    ],
    ("expenses", "category", "Formación", None),
    *[
        ("expenses", "payment_method", raw, "card")
        for raw in [
            "Tarjeta",
            "Tarjeta de empresa",
            "Carte",
            "Firmenkarte",
            "Carta aziendale",
            "Cartão",
            "Credit card",
        ]
    ],
    *[
        ("expenses", "payment_method", raw, "cash")
        for raw in ["Efectivo", "Espèces", "Bar", "Contanti", "Dinheiro", "Cash"]
    ],
    *[
        ("expenses", "payment_method", raw, "transfer")
        for raw in ["Transferencia", "Virement", "Überweisung", "Bonifico", "Transferência", "Wire"]
    ],
    *[
        ("shipments", "origin_country", raw, "FR")
        for raw in ["Francia", "Frankreich", "França", "FRA", "Frnace"]
    ],
    *[
        ("shipments", "origin_country", raw, "IT")
        for raw in ["Italia", "Italien", "Italie", "Itália", "ITA"]
    ],
    *[
        ("shipments", "origin_country", raw, "PT")
        for raw in ["Portugal", "Portogallo", "PRT", "Portgual"]
    ],
    ("shipments", "origin_country", "Narnia", None),
    *[("bank_transactions", "currency", raw, "EUR") for raw in ["€", "Euro", "euros", "eur"]],
    *[("bank_transactions", "currency", raw, "USD") for raw in ["$", "US Dollar", "Dólar", "usd"]],
    *[
        ("bank_transactions", "currency", raw, "GBP")
        for raw in ["£", "Pound sterling", "Pfund", "Libra"]
    ],
]
