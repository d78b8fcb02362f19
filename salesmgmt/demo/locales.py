"""The demo's teams that work in their own language: where their customers are and what
they are called. Athens (Greek), Manila (Filipino) and Jakarta (Indonesian) sell to
local businesses with local names, contacts and job titles; Harbour keeps the English
ones in salesmgmt.demo.customers.

Business names are patterns around a stem ("Toko {}", "{} Trading Corp."), per segment.
"""

from activities.models import Segment

SMALL, MID, ENTERPRISE, PUBLIC = Segment.SMALL, Segment.MID, Segment.ENTERPRISE, Segment.PUBLIC

# Each rep of the team works two or three of these: (city, area code).
CITIES = {
    "el": (
        ("Αθήνα", 210),
        ("Πειραιάς", 210),
        ("Θεσσαλονίκη", 2310),
        ("Πάτρα", 2610),
        ("Ηράκλειο", 2810),
        ("Λάρισα", 2410),
    ),
    "fil": (
        ("Manila", 2),
        ("Quezon City", 2),
        ("Makati", 2),
        ("Pasig", 2),
        ("Cebu City", 32),
        ("Davao City", 82),
    ),
    "id": (
        ("Jakarta", 21),
        ("Bekasi", 21),
        ("Tangerang", 21),
        ("Bandung", 22),
        ("Surabaya", 31),
        ("Semarang", 24),
    ),
}

STEMS = {
    "el": (
        "Ακρόπολις", "Αιγαίον", "Ολυμπία", "Ερμής", "Αθηνά", "Δελφοί", "Ποσειδών", "Ήλιος",
        "Πήγασος", "Αστέρι", "Νεφέλη", "Ορίζων", "Ίριδα", "Ζέφυρος", "Μέλισσα", "Αλκυόνη",
        "Δάφνη", "Κυανό", "Αργώ", "Καλλιστώ", "Ελιά", "Πλάτανος", "Κρήνη", "Φάρος",
        "Ιθάκη", "Νάξος", "Μύρτος", "Αμάλθεια", "Λευκάδα", "Θάλασσα",
    ),
    "fil": (
        "Mabuhay", "Bayanihan", "Kalayaan", "Masagana", "Tagumpay", "Liwayway", "Sampaguita",
        "Magiting", "Bagong Araw", "Dalisay", "Maharlika", "Pag-asa", "Silangan", "Bituin",
        "Malaya", "Biyaya", "Luningning", "Dakila", "Kalinaw", "Marilag", "Sinag", "Tala",
        "Habagat", "Amihan", "Alon", "Bulaklak", "Himig", "Ligaya", "Narra", "Perlas",
    ),
    "id": (
        "Sinar Jaya", "Maju Bersama", "Sumber Rejeki", "Karya Abadi", "Mitra Sejahtera",
        "Cahaya Baru", "Berkah Abadi", "Harapan Indah", "Mulia", "Nusantara", "Bintang Timur",
        "Sentosa", "Makmur Jaya", "Bumi Raya", "Surya Kencana", "Tunas Muda", "Lancar Jaya",
        "Mekar Sari", "Putra Mandiri", "Anugrah", "Dwi Tunggal", "Tri Karya", "Cipta Sarana",
        "Garuda Mas", "Indah Permai", "Jaya Utama", "Kencana", "Merdeka", "Pelangi", "Sejati",
    ),
}  # fmt: skip

BUSINESSES = {
    "el": {
        SMALL: (
            "Αρτοποιείο {}", "Φαρμακείο {}", "Καφέ {}", "Ταβέρνα {}", "Οδοντιατρείο {}",
            "Κομμωτήριο {}", "Ανθοπωλείο {}", "Βιβλιοπωλείο {}", "Σιδηροπωλείο {}",
            "Γυμναστήριο {}", "Ζαχαροπλαστείο {}", "Οπτικά {}", "Συνεργείο {}", "Κάβα {}",
        ),
        MID: (
            "{} Α.Ε.", "Ξενοδοχεία {}", "Μεταφορική {}", "{} Ο.Ε.", "Τεχνική {} Α.Ε.",
            "Διανομές {}", "Κλινική {}", "Ασφαλιστική {}", "Τρόφιμα {} Α.Ε.", "Μαρίνα {}",
        ),
        ENTERPRISE: (
            "Όμιλος {}", "{} Βιομηχανία Α.Ε.", "{} Συμμετοχών Α.Ε.", "Σούπερ Μάρκετ {}",
            "{} Logistics Α.Ε.",
        ),
        PUBLIC: ("Κέντρο Υγείας {}", "Δημοτική Βιβλιοθήκη {}", "Λύκειο {}", "ΔΕΥΑ {}"),
    },
    "fil": {
        SMALL: (
            "{} Sari-Sari Store", "{} Carinderia", "{} Bakeshop", "{} Pharmacy", "{} Hardware",
            "{} Auto Supply", "{} Salon", "{} Dental Clinic", "{} Water Refilling Station",
            "{} Laundry Shop", "{} Milk Tea", "{} Printing", "{} Lechon House", "{} Bike Shop",
        ),
        MID: (
            "{} Trading Corp.", "{} Logistics Inc.", "{} Hotel", "{} Builders",
            "{} Marketing Corp.", "{} Medical Clinic", "{} Foods Inc.", "{} Realty",
            "{} Insurance Agency", "{} Motors",
        ),
        ENTERPRISE: (
            "{} Holdings Inc.", "{} Group of Companies", "{} Manufacturing Corp.",
            "{} Supermarket Chain", "{} Shipping Lines",
        ),
        PUBLIC: (
            "{} Public Library", "{} National High School", "{} District Hospital",
            "{} Water District",
        ),
    },
    "id": {
        SMALL: (
            "Toko {}", "Warung {}", "Apotek {}", "Bengkel {}", "Salon {}", "Kedai Kopi {}",
            "Klinik Gigi {}", "Toko Roti {}", "Toko Bangunan {}", "Laundry {}", "Optik {}",
            "Rumah Makan {}", "Percetakan {}", "Toko Bunga {}",
        ),
        MID: (
            "CV {}", "PT {} Logistik", "Hotel {}", "PT {} Distribusi", "Klinik {}",
            "PT {} Konstruksi", "PT {} Pangan", "Properti {}", "Asuransi {}", "Dealer {}",
        ),
        ENTERPRISE: ("PT {} Tbk", "Grup {}", "PT {} Industri", "Supermarket {}", "PT {} Holding"),
        PUBLIC: ("Puskesmas {}", "Perpustakaan {}", "SMA {}", "PDAM {}"),
    },
}  # fmt: skip

CONTACT_FIRST = {
    "el": (
        "Αντώνης", "Βασιλική", "Γεωργία", "Δημήτρης", "Ευάγγελος", "Ζωή", "Ηλίας", "Θεοδώρα",
        "Ιωάννα", "Κώστας", "Λαμπρινή", "Μιχάλης", "Νικολέτα", "Παναγιώτης", "Σταύρος",
        "Χριστίνα",
    ),
    "fil": (
        "Jun", "Maricel", "Rodel", "Lorna", "Arnel", "Rowena", "Ramon", "Cherry", "Dindo",
        "Grace", "Nestor", "Imelda", "Ricardo", "Aileen", "Ronaldo", "Rosario",
    ),
    "id": (
        "Bambang", "Sri", "Hadi", "Wati", "Joko", "Ratna", "Slamet", "Yuni", "Eko", "Fitri",
        "Dedi", "Nur", "Teguh", "Rina", "Wahyu", "Indah",
    ),
}  # fmt: skip
CONTACT_LAST = {
    "el": (
        "Αντωνίου", "Βλάχου", "Γεωργιάδης", "Δημητρίου", "Ευαγγέλου", "Ζαχαρίου", "Ιωάννου",
        "Καραγιάννης", "Λαμπράκης", "Μαυρίδης", "Ντόκος", "Παππάς", "Σταματίου", "Τσακίρης",
    ),
    "fil": (
        "Dela Rosa", "Santiago", "Castillo", "Navarro", "Domingo", "Salazar", "Aguilar",
        "Pascual", "Soriano", "Manalo", "Tolentino", "Mercado", "Francisco", "Gonzales",
    ),
    "id": (
        "Susanto", "Hidayat", "Kurniawan", "Setiawan", "Hartono", "Nugroho", "Purnomo",
        "Siregar", "Simanjuntak", "Hakim", "Wibowo", "Halim", "Tanjung", "Permana",
    ),
}  # fmt: skip
CONTACT_ROLES = {
    "el": {
        SMALL: ("Ιδιοκτήτης", "Συνιδιοκτήτρια", "Υπεύθυνος καταστήματος"),
        MID: ("Διευθυντής λειτουργιών", "Γενική διευθύντρια", "Οικονομικός διευθυντής"),
        ENTERPRISE: ("Διευθυντής προμηθειών", "Οικονομική διευθύντρια", "Διευθυντής IT"),
        PUBLIC: ("Υπεύθυνος προμηθειών", "Προϊστάμενος τμήματος"),
    },
    "fil": {
        SMALL: ("May-ari", "Store manager", "Office manager"),
        MID: ("Operations manager", "General manager", "Purchasing manager"),
        ENTERPRISE: ("VP for Operations", "Head of Procurement", "CFO"),
        PUBLIC: ("Procurement officer", "Administrative officer"),
    },
    "id": {
        SMALL: ("Pemilik", "Manajer toko", "Kepala kantor"),
        MID: ("Manajer operasional", "General manager", "Manajer keuangan"),
        ENTERPRISE: ("Direktur operasional", "Kepala pengadaan", "Direktur keuangan"),
        PUBLIC: ("Pejabat pengadaan", "Kepala bagian umum"),
    },
}

# Greek letters in e-mail addresses and web domains, written the way Greek businesses do
# (ELOT 743, simplified: one Latin letter or pair per Greek letter).
GREEK_TO_LATIN = str.maketrans(
    {
        **dict(zip("αβγδεζηθικλμνξοπρσςτυφχψω", "abgdezitiklmnxoprsstyfxpo", strict=True)),
        **dict(zip("άέήίόύώϊϋΐΰ", "aeiiouoiyiy", strict=True)),
        "θ": "th",
        "χ": "ch",
        "ψ": "ps",
        "ξ": "x",
    }
)


def ascii_name(text: str) -> str:
    """``text`` lower-cased, in Latin letters, letters and digits only: for addresses."""
    latin = text.lower()
    for pair, letters in (("ου", "ou"), ("ού", "ou"), ("ευ", "ev"), ("αυ", "av"), ("γγ", "ng")):
        latin = latin.replace(pair, letters)
    latin = latin.translate(GREEK_TO_LATIN)
    return "".join(c for c in latin if c.isalnum())
