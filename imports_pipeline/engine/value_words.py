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
                    "electric"),
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
    "car": ("coche", "turismo", "voiture", "pkw", "auto", "automovel", "carro", "macchina"),
    "yes": ("si", "oui", "ja", "sim"),
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


@lru_cache(maxsize=65536)
def english_value(normalized: str) -> str:
    """A normalised value with each known word replaced by its English word."""
    return " ".join(WORD_ENGLISH.get(word, word) for word in normalized.split())
