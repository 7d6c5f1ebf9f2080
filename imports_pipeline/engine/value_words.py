"""Category values as exports write them in six languages, reduced to English words.

"Pagada", "Payée", "Bezahlt" and "Pagata" all mean an option labelled "Paid"; "Camión
articulado" is an articulated truck. Raw values and option names are both rewritten word
by word into these English words before fuzzy matching, so a template that only lists
English labels still understands its users' files. Currency and country codes get their
names (symbols, English and translated names) as extra aliases.
"""

from __future__ import annotations

from functools import lru_cache

# fmt: off
VALUE_WORDS: dict[str, tuple[str, ...]] = {
    "paid": ("pagada", "pagado", "cobrada", "cobrado", "payee", "paye", "reglee", "bezahlt",
             "beglichen", "pagata", "pagato", "paga", "pago", "liquidada", "saldada"),
    "sent": ("enviada", "enviado", "emitida", "emitido", "envoyee", "envoye", "emise",
             "versendet", "versandt", "gesendet", "inviata", "inviato", "emessa", "emitida"),
    "draft": ("borrador", "brouillon", "entwurf", "bozza", "rascunho", "provisional"),
    "overdue": ("vencida", "vencido", "impagada", "retard", "echue", "uberfallig", "ueberfaellig",
                "scaduta", "scaduto", "atraso", "atrasada", "pastdue", "late"),
    "electricity": ("electricidad", "luz", "electricite", "strom", "elektrizitat",
                    "elettrica", "elettricita", "luce", "eletricidade", "elec", "power",
                    "electric", "electrico", "electrica", "electrique", "elektro", "elettrico",
                    "eletrico", "ev", "bev"),
    "gas": ("gas", "gaz"),
    "natural gas": ("erdgas",),
    "natural": ("natural", "naturel", "naturale", "erd"),
    "full": ("completa", "completo", "plein", "pieno", "integral", "voll", "vollzeit", "ft"),
    "part": ("parcial", "media", "partiel", "teilzeit", "teil", "parziale", "pt"),
    "time": ("jornada", "temps", "tempo", "zeit", "horario"),
    "contractor": ("autonomo", "freelance", "freelancer", "freiberufler", "prestataire",
                   "independant", "autonomo", "libero", "professionista", "contratista",
                   "1099"),
    "intern": ("becario", "becaria", "practicas", "praktikant", "praktikantin", "stagiaire",
               "stagista", "tirocinante", "estagiario", "estagiaria", "trainee", "internship"),
    "travel": ("viaje", "viajes", "voyage", "voyages", "deplacement", "deplacements", "reise",
               "reisekosten", "viaggio", "viaggi", "trasferta", "viagem", "viagens", "trip"),
    "meals": ("comida", "comidas", "restaurante", "repas", "restauration", "bewirtung",
              "verpflegung", "essen", "pasto", "pasti", "ristorante", "refeicao", "refeicoes",
              "meal", "dietas"),
    "lodging": ("alojamiento", "hotel", "hebergement", "ubernachtung", "unterkunft",
                "alloggio", "albergo", "alojamento", "accommodation", "hospedagem"),
    "fuel": ("combustible", "carburante", "carburant", "kraftstoff", "combustivel", "fuel"),
    "office": ("oficina", "bureau", "buro", "buromaterial", "ufficio", "cancelleria",
               "escritorio", "papeleria"),
    "supplies": ("material", "fournitures", "forniture", "materiale", "suministros"),
    "card": ("tarjeta", "carte", "karte", "kreditkarte", "firmenkarte", "carta", "cartao",
             "cb", "visa", "mastercard", "amex", "card"),
    "company": ("empresa", "entreprise", "firma", "firmen", "aziendale", "corporativa",
                "corporate"),
    "cash": ("efectivo", "especes", "bar", "bargeld", "contanti", "dinheiro", "numerario",
             "metalico", "cash"),
    "bank": ("banco", "bancaria", "banque", "bancaire", "bank", "banca", "bancario", "wire"),
    "transfer": ("transferencia", "virement", "uberweisung", "ueberweisung", "bonifico",
                 "transferencia", "wire", "sepa"),
    "truck": ("camion", "lkw", "camiao", "tir"),
    "articulated truck": ("sattelzug", "sattelschlepper"),
    "articulated": ("articulado", "articule", "articolato", "trailer",
                    "trailer", "semirremolque", "autoarticolato"),
    "rigid": ("rigido", "rigide", "solo"),
    "van": ("furgoneta", "furgon", "fourgonnette", "fourgon", "transporter", "furgone",
            "furgao", "carrinha"),
    "car": ("coche", "turismo", "voiture", "pkw", "auto", "automovel", "carro", "macchina",
            "motor", "kfz", "kraftfahrt", "automovil", "vehiculo", "vehicule", "fahrzeug",
            "veicolo", "veiculo"),
    "yes": ("si", "oui", "ja", "sim"),
    # tickets, fuels, rooms, channels, leads and devices (issue 10)
    "general": ("general", "generale", "allgemein", "geral", "normal", "normales", "normale",
                "regular", "standard"),
    "admission": ("admission", "entree", "eintritt", "ingresso", "entrada", "acceso", "accesso"),
    "ticket": ("entrada", "billet", "biglietto", "bilhete", "ingresso", "tickets", "karte",
               "pass"),
    "student": ("estudiante", "etudiant", "etudiante", "studierende", "studenten", "estudante",
                "studente", "studenti", "alumno", "students", "aluno", "learner", "alumna",
                "aluna"),
    "early bird": ("fruhbucher", "fruehbucher", "earlybird"),
    "diesel": ("gasoleo", "gazole", "gasolio", "gasoil", "dsl", "diesel"),
    "petrol": ("gasolina", "essence", "benzin", "benzina", "gasoline", "unleaded", "super",
               "sans plomb", "bleifrei"),
    "hybrid": ("hibrido", "hybride", "ibrido", "hev", "phev", "hybrid"),
    "double": ("doble", "doppel", "doppia", "doppio", "duplo", "dbl", "matrimonial"),
    "single": ("individual", "simple", "einzel", "singola", "singolo", "sgl", "solteiro"),
    "twin": ("zweibett", "twn"),
    "room": ("habitacion", "chambre", "zimmer", "camera", "quarto", "rooms"),
    "direct": ("directo", "directa", "direkt", "diretto", "diretta", "direto", "direta"),
    "agent": ("agencia", "agence", "agenzia", "agentur", "agency", "agente"),
    "travel agent": ("reiseburo", "reisebuero"),
    "web": ("website", "webseite", "webpage", "internet"),
    "referral": ("recomendacion", "recommandation", "empfehlung", "referenza", "indicacao",
                 "referido", "passaparola", "referencia"),
    "trade show": ("feria", "salon", "messe", "fiera", "feira", "tradeshow", "exhibition",
                   "exposicion"),
    "call": ("llamada", "appel", "anruf", "chiamata", "chamada", "calling", "telefonata"),
    "cold": ("frio", "froid", "kalt", "freddo"),
    "cold call": ("kaltakquise", "coldcall"),
    "advertising": ("publicidad", "publicite", "werbung", "pubblicita", "publicidade", "ads",
                    "advert", "adverts", "anuncios", "advertisement"),
    "new": ("nuevo", "nueva", "nouveau", "nouvelle", "neu", "neue", "nuovo", "nuova", "novo",
            "nova"),
    "contacted": ("contactado", "contactada", "contacte", "contactee", "kontaktiert",
                  "contattato", "contatado"),
    "qualified": ("cualificado", "calificado", "qualifie", "qualifiziert", "qualificato",
                  "qualificado"),
    "lost": ("perdido", "perdida", "perdu", "perdue", "verloren", "perso", "persa"),
    "laptop": ("portatil", "portable", "notebook", "portatile", "laptops"),
    "desktop": ("sobremesa", "fixe", "fisso", "mesa", "tower"),
    "monitor": ("pantalla", "ecran", "bildschirm", "schermo", "ecra", "tela", "display",
                "screen"),
    "phone": ("movil", "telephone", "smartphone", "telefono", "cellulare", "celular",
              "telemovel", "handy", "mobile", "telefon", "voice"),
    "printer": ("impresora", "imprimante", "drucker", "stampante", "impressora"),
    "computer": ("ordinateur", "computadora", "ordenador", "computador", "rechner", "pc"),
    "deployed": ("asignado", "asignada", "affecte", "ausgegeben", "assegnato", "atribuido",
                 "assigned", "zugewiesen", "uso", "use", "deploy"),
    "repair": ("reparacion", "reparation", "reparatur", "riparazione", "reparo", "reparacao"),
    "retired": ("baja", "reforme", "ausgemustert", "dismesso", "baixado", "archived",
                "archivado", "archive", "decommissioned"),
    "ready": ("disponible", "verfugbar", "verfuegbar", "disponibile", "disponivel",
              "available"),
    # insurance lines and statuses, payment frequencies, course roles, stock units and storage
    "home": ("hogar", "habitation", "wohngebaude", "wohngebaeude", "casa", "maison", "haus",
             "lar", "household", "hausrat", "vivienda", "abitazione", "habitacao"),
    "life": ("vida", "vie", "leben", "lebens", "vita"),
    "health": ("salud", "sante", "kranken", "kranke", "salute", "saude", "medical", "medico",
               "sanitaria"),
    "insurance": ("seguro", "assurance", "versicherung", "assicurazione", "multirriesgo",
                  "polizza", "poliza", "apolice"),
    "active": ("vigente", "vigueur", "vigore", "vigor", "force", "activo", "activa", "actif",
               "active", "aktiv", "attivo", "attiva", "ativo", "ativa", "valid"),
    "cancelled": ("anulada", "anulado", "resilie", "resiliee", "storniert", "gekundigt", "disdetto",
                  "annullata", "annullato", "cancelada", "cancelado", "canceled", "annule",
                  "annulee", "cancellata", "cancellato"),
    "pending": ("pendiente", "attente", "ausstehend", "attesa", "pendente", "espera", "wartend"),
    "lapsed": ("caducada", "caducado", "expiree", "expire", "abgelaufen", "expired", "caduca",
               "decaduta", "caducou"),
    "monthly": ("mensual", "mensuel", "monatlich", "mensile", "mensal", "month"),
    "quarterly": ("trimestral", "trimestriel", "vierteljahrlich", "vierteljaehrlich",
                  "trimestrale", "quartalsweise"),
    "annual": ("anual", "annuel", "jahrlich", "jaehrlich", "annuale", "yearly", "annually",
               "annuo"),
    "teacher": ("profesor", "profesora", "professeur", "enseignant", "enseignante", "lehrer",
                "lehrerin", "docente", "professor", "professora", "instructor", "tutor",
                "dozent", "formador", "formateur"),
    "completed": ("completado", "completada", "termine", "terminee", "abgeschlossen",
                  "completato", "completata", "concluido", "concluida", "finished",
                  "finalizado", "complete", "acheve", "terminada", "terminado", "done", "teco"),
    "withdrawn": ("abandon", "abandono", "abgebrochen", "ritirato", "ritirata", "desistente",
                  "dropped", "desistido", "retire", "retiro"),
    "suspended": ("suspendu", "suspendido", "suspendida", "gesperrt", "sospeso", "sospesa",
                  "suspenso", "suspensa"),
    "kilogram": ("kilo", "kilos", "kilogramo", "kilogramos", "kilogramm", "chilogrammo",
                 "chilo", "quilo", "quilograma", "kilogramme"),
    "litre": ("litro", "litros", "liter", "litre", "litri", "ltr"),
    "each": ("unidad", "unidades", "piece", "pieces", "stuck", "stueck", "stk", "pezzo", "pezzi",
             "unidade", "ea", "unit", "units", "pcs"),
    "case": ("caja", "cajas", "carton", "karton", "cassa", "caixa", "cs", "box", "kiste",
             "scatola", "colis"),
    "fridge": ("nevera", "frigorifico", "refrigerateur", "kuhlschrank", "kuehlschrank", "frigo",
               "frigorifero", "cooler", "refrigerator", "frigorifica", "camara", "kuhlraum",
               "chambre froide", "cella frigorifera"),
    "freezer": ("congelador", "congelateur", "tiefkuhler", "tiefkuehler", "gefrierschrank",
                "congelatore", "tiefkuhl", "surgelati", "arca congeladora"),
    "dry": ("seco", "seca", "seche", "sec", "trocken", "secco", "secca"),
    "store": ("almacen", "reserve", "lager", "magazzino", "armazem", "deposito"),
    "dry store": ("dispensa", "despensa", "economato", "pantry"),
    # ticket priorities and statuses, subscription statuses, donation sources
    "high": ("alta", "alto", "haute", "haut", "hoch", "elevata", "elevato", "elevada"),
    "low": ("bajo", "basse", "bas", "niedrig", "bassa", "basso", "baixa", "baixo"),
    "urgent": ("urgente", "dringend", "critica", "critico", "kritisch", "critique", "urgenza"),
    "open": ("abierto", "abierta", "ouvert", "ouverte", "offen", "aperto", "aperta", "aberto",
             "aberta"),
    "solved": ("resuelto", "resuelta", "resolu", "resolue", "gelost", "geloest", "risolto",
               "risolta", "resolvido", "resolvida", "resolved"),
    "closed": ("cerrado", "cerrada", "ferme", "fermee", "geschlossen", "chiuso", "chiusa",
               "fechado", "fechada"),
    "trial": ("prueba", "essai", "testphase", "prova", "teste", "trialing", "probezeit",
              "testversion"),
    "paused": ("pausada", "pausado", "pause", "pausiert", "pausa", "pausato"),
    "online": ("linea", "ligne"),
    "event": ("evento", "evenement", "veranstaltung", "gala", "eventos"),
    "released": ("liberada", "liberado", "lance", "lancee", "freigegeben", "frei", "rilasciato",
                 "rilasciata", "liberato", "libere"),
    "progress": ("curso", "cours", "corso", "bearbeitung", "progreso", "andamento", "ongoing",
                 "laufend", "progres"),
    "hold": ("angehalten", "blocked", "bloqueado", "bloqueada", "bloque", "bloccato",
             "detenido", "retenido"),
    "interview": ("entrevista", "entretien", "vorstellungsgesprach", "vorstellungsgespraech",
                  "gesprach", "colloquio", "interviews"),
    "rejected": ("rechazado", "rechazada", "refuse", "refusee", "abgelehnt", "scartato",
                 "scartata", "rejeitado", "rejeitada", "declined", "descartado", "respinto"),
    "hired": ("contratado", "contratada", "embauche", "embauchee", "eingestellt", "assunto",
              "assunta", "hire"),
    "offer": ("oferta", "offre", "angebot", "offerta", "proposta"),
    "applied": ("candidatura", "postulado", "postule", "beworben", "candidato"),
    "job board": ("jobborse", "jobboerse", "linkedin", "indeed", "infojobs", "stepstone"),
    "careers page": ("karriereseite", "carrieres", "carriere", "careers"),
    "family": ("familiar", "famille", "familie", "famiglia", "familia"),
    "frozen": ("congelado", "congelada", "gele", "eingefroren", "congelato", "freeze"),
    "mail": ("postal", "courrier", "post", "posta", "correio", "brief"),
}
"""English word → its spellings in exports (accents folded, lower case)."""
# fmt: on

CURRENCY_NAMES: dict[str, tuple[str, ...]] = {
    "EUR": ("€", "euro", "euros", "eu", "eur"),
    "USD": (
        "$",
        "us$",
        "dollar",
        "dollars",
        "us dollar",
        "dolar",
        "dolares",
        "dollaro",
        "dolar americano",
    ),
    "GBP": (
        "£",
        "pound",
        "pounds",
        "pound sterling",
        "sterling",
        "libra",
        "libras",
        "livre sterling",
        "pfund",
        "sterlina",
    ),
    "CHF": ("franco suizo", "swiss franc", "franken", "fr", "franc suisse"),
    "JPY": ("¥", "yen"),
}
"""Currency codes → what people type instead."""


def _inverted() -> dict[str, str]:
    words: dict[str, str] = {}
    for english, spellings in VALUE_WORDS.items():
        for spelling in spellings:
            words.setdefault(spelling, english)
    return words


WORD_ENGLISH = _inverted()
ENGLISH_WORDS = frozenset(word for english in VALUE_WORDS for word in english.split())
"""Every English word the vocabulary reads values into."""
# fmt: off
FILLER = frozenset(
    {"de", "del", "la", "le", "les", "el", "en", "a", "di", "da", "do", "dos", "das", "der",
     "die", "the", "of", "in", "to", "em", "e", "y", "et", "und", "al", "au", "du", "des", "con",
     "com", "mit", "on"}
)
# fmt: on
"""Filler words of the six languages: "En réparation" is "repair", "Cold call" is "call en frío"."""
MIN_COMPOUND_PART = 3


def _split_compound(word: str) -> str | None:
    """German compounds of two known words: "doppelzimmer" → "double room"."""
    for cut in range(MIN_COMPOUND_PART, len(word) - MIN_COMPOUND_PART + 1):
        head, tail = word[:cut], word[cut:]
        head_word = WORD_ENGLISH.get(head) or WORD_ENGLISH.get(head.removesuffix("s"))
        tail_word = WORD_ENGLISH.get(tail)
        if head_word and tail_word:
            return f"{head_word} {tail_word}"
    return None


def _english_word(word: str) -> str:
    known = WORD_ENGLISH.get(word)
    if known is None and len(word) >= 2 * MIN_COMPOUND_PART:
        known = _split_compound(word)
    return known if known is not None else word


@lru_cache(maxsize=65536)
def english_value(normalized: str) -> str:
    """A normalised value with each known word replaced by its English word, filler words
    dropped (unless nothing else is left) and repeats said once ("Sitio web" is not two webs)."""
    words = [w for word in normalized.split() for w in _english_word(word).split()]
    kept = [word for word in words if word not in FILLER] or words
    return " ".join(dict.fromkeys(kept))
