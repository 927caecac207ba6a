"""Known employers and the domains they recruit from, and the hiring platforms companies use.

We cannot look up a company's domains offline, so for well-known employers we keep them here:
a domain on this list *is* the company's (gs.com for Goldman Sachs, jobs-ups.com for UPS,
metacareers.com for Meta), and for these names anything else that borrows the name is a
look-alike. For every other company the domain is judged by its name (see :mod:`domains`).

Keys are brand keys as :func:`domains.brand_key` spells a company name ("Bank of America" ->
"bankofamerica", "AT&T" -> "att"); aliases of one company share its domains. Sources: each
company's own careers pages. Add to it freely; a wrong entry here can only make a domain count
as the company's own, so check the domain on the company's site before adding it.
"""

from __future__ import annotations

__all__ = ("HIRING_PLATFORMS", "KNOWN_DOMAINS", "official_domains")

_GOOGLE = ("google.com", "abc.xyz")
_AMAZON = ("amazon.com", "amazon.jobs", "aboutamazon.com", "amazon.co.uk", "amazon.de")
_META = ("meta.com", "fb.com", "facebook.com", "metacareers.com")
_JPMORGAN = ("jpmorgan.com", "jpmchase.com", "chase.com", "jpmorganchase.com")
_GOLDMAN = ("gs.com", "goldmansachs.com")
_CITI = ("citi.com", "citigroup.com")
_BOFA = ("bankofamerica.com", "bofa.com")
_EY = ("ey.com",)
_PWC = ("pwc.com", "pwc.co.uk")
_PG = ("pg.com",)
_JNJ = ("jnj.com",)
_GE = ("ge.com",)
_BCG = ("bcg.com",)
_HPE = ("hpe.com",)
_TIKTOK = ("tiktok.com", "bytedance.com")
_MS = ("marks-and-spencer.com", "marksandspencer.com")
_UNITEDHEALTH = ("uhg.com", "unitedhealthgroup.com", "optum.com")
_LOCKHEED = ("lockheedmartin.com", "lmco.com")
_NORTHROP = ("ngc.com", "northropgrumman.com")

KNOWN_DOMAINS: dict[str, tuple[str, ...]] = {
    "google": _GOOGLE, "alphabet": _GOOGLE,
    "amazon": _AMAZON, "aws": _AMAZON, "amazonwebservices": _AMAZON,
    "microsoft": ("microsoft.com",), "apple": ("apple.com",),
    "meta": _META, "facebook": _META, "instagram": _META, "whatsapp": _META,
    "netflix": ("netflix.com",), "ibm": ("ibm.com",), "oracle": ("oracle.com",),
    "tesla": ("tesla.com",), "walmart": ("walmart.com",), "target": ("target.com",),
    "deloitte": ("deloitte.com", "deloitte.co.uk"),
    "pwc": _PWC, "pricewaterhousecoopers": _PWC, "kpmg": ("kpmg.com", "kpmg.us", "kpmg.co.uk"),
    "ey": _EY, "ernstyoung": _EY, "accenture": ("accenture.com",),
    "jpmorgan": _JPMORGAN, "jpmorganchase": _JPMORGAN, "chase": _JPMORGAN,
    "goldmansachs": _GOLDMAN, "morganstanley": ("morganstanley.com",),
    "bankofamerica": _BOFA, "citi": _CITI, "citigroup": _CITI, "citibank": _CITI,
    "wellsfargo": ("wellsfargo.com",), "capitalone": ("capitalone.com",),
    "americanexpress": ("americanexpress.com", "aexp.com"),
    "salesforce": ("salesforce.com",), "adobe": ("adobe.com",), "intel": ("intel.com",),
    "nvidia": ("nvidia.com",), "cisco": ("cisco.com",), "samsung": ("samsung.com",),
    "sony": ("sony.com",), "uber": ("uber.com",), "airbnb": ("airbnb.com",),
    "spotify": ("spotify.com",), "paypal": ("paypal.com",), "visa": ("visa.com",),
    "mastercard": ("mastercard.com",), "shell": ("shell.com",), "bp": ("bp.com",),
    "unilever": ("unilever.com",), "nestle": ("nestle.com",), "pfizer": ("pfizer.com",),
    "disney": ("disney.com", "disneycareers.com"),
    "linkedin": ("linkedin.com", "lnkd.in"),
    "tiktok": _TIKTOK, "bytedance": _TIKTOK,
    "costco": ("costco.com",), "fedex": ("fedex.com",), "ups": ("ups.com", "jobs-ups.com"),
    "dhl": ("dhl.com",), "boeing": ("boeing.com",), "siemens": ("siemens.com",),
    "bosch": ("bosch.com",), "hsbc": ("hsbc.com", "hsbc.co.uk"),
    "barclays": ("barclays.com", "barclays.co.uk"), "coinbase": ("coinbase.com",),
    "stripe": ("stripe.com",), "openai": ("openai.com",), "nike": ("nike.com",),
    "starbucks": ("starbucks.com",), "mckinsey": ("mckinsey.com",),
    "cocacola": ("coca-cola.com", "coca-colacompany.com"),
    "tmobile": ("t-mobile.com",), "att": ("att.com",), "verizon": ("verizon.com",),
    "proctergamble": _PG, "pg": _PG, "johnsonjohnson": _JNJ, "jnj": _JNJ,
    "generalelectric": _GE, "ge": _GE, "hm": ("hm.com",),
    "marksspencer": _MS, "marksandspencer": _MS,
    "marriott": ("marriott.com",), "mcdonalds": ("mcdonalds.com",),
    "homedepot": ("homedepot.com",), "lowes": ("lowes.com",), "kroger": ("kroger.com",),
    "cvs": ("cvshealth.com",), "cvshealth": ("cvshealth.com",),
    "walgreens": ("walgreens.com",), "unitedhealth": _UNITEDHEALTH,
    "unitedhealthgroup": _UNITEDHEALTH, "bostonconsulting": _BCG, "bcg": _BCG,
    "bain": ("bain.com",), "boozallenhamilton": ("bah.com",),
    "lockheedmartin": _LOCKHEED, "northropgrumman": _NORTHROP, "rtx": ("rtx.com",),
    "hp": ("hp.com",), "hewlettpackardenterprise": _HPE, "hpe": _HPE, "dell": ("dell.com",),
    "tesco": ("tesco.com",), "usps": ("usps.com", "usps.gov"),
    "postalservice": ("usps.com", "usps.gov"),
    "unitedstatespostalservice": ("usps.com", "usps.gov"), "metaplatforms": _META,
    "deloittetouche": ("deloitte.com",),
}  # fmt: skip

# Applicant-tracking and hiring platforms: a company's jobs page often lives on one of these,
# under the company's name (acme.wd1.myworkdayjobs.com, boards.greenhouse.io/acme). A company
# name in front of these domains is the platform at work, not a look-alike.
HIRING_PLATFORMS = frozenset(
    {
        "myworkdayjobs.com", "myworkday.com", "workday.com", "greenhouse.io", "lever.co",
        "smartrecruiters.com", "icims.com", "taleo.net", "jobvite.com", "workable.com",
        "bamboohr.com", "ashbyhq.com", "recruitee.com", "teamtailor.com", "breezy.hr",
        "applytojob.com", "jazzhr.com", "successfactors.com", "successfactors.eu",
        "paylocity.com", "adp.com", "ultipro.com", "dayforcehcm.com", "pinpointhq.com",
        "personio.de", "personio.com", "rippling.com", "avature.net", "oraclecloud.com",
        "phenompeople.com", "eightfold.ai", "recruiterbox.com", "comeet.co", "join.com",
    }
)  # fmt: skip


def official_domains(brand: str) -> frozenset[str]:
    """The registrable domains a known employer recruits from; empty when we don't know."""
    return frozenset(KNOWN_DOMAINS.get(brand, ()))
