"""Disputed areas: places whose country depends on who is asked.

A GPS fix inside one of these is named as disputed, with its claimants, rather
than given to the side the boundary data happens to follow. Each entry says
where its outline comes from: either a time-zone polygon of the boundary data
itself (tzdata gives Crimea, Northern Cyprus and Western Sahara zones of their
own, drawn from OpenStreetMap by timezone-boundary-builder), or an outline from
Natural Earth's "breakaway and disputed areas" layer (1:50m, public domain),
whose precision is about a kilometre. Claims and administration follow
Natural Earth's ``NOTE_BRK`` field and the UN resolutions named.

Not in the table: Kosovo (no outline in either source; the boundary data gives
it to Serbia), Azad Kashmir (Natural Earth draws it as part of Pakistan), and
the parts of Ukraine occupied since 2022 (a front line, not a boundary: the
data gives them to Ukraine).
"""

from __future__ import annotations

from dataclasses import dataclass

from forensics.records.record import Serialisable


@dataclass(frozen=True)
class DisputedArea(Serialisable):
    """A disputed area: who claims it, who holds it, and its outline (a zone name or a polygon)."""

    id: str
    name: str
    claimants: tuple[str, ...]  # ISO 3166-1 alpha-2 codes of the states (or territory) it is claimed for
    administered_by: str
    source: str
    zone: str | None = None  # an IANA zone whose boundary polygon is the area
    outline: tuple[tuple[float, float], ...] = ()  # (lon, lat) ring, when no zone covers it exactly
    precision_km: float = 0.1  # how far the outline may be from the line on the ground

    def to_dict(self) -> dict[str, object]:
        return {"id": self.id, "name": self.name, "claimants": list(self.claimants), "administered_by": self.administered_by}


# fmt: off
DISPUTED: tuple[DisputedArea, ...] = (
    DisputedArea(
        "crimea", "Crimea", ("UA", "RU"), "Russia (annexed 2014; UN GA resolution 68/262 upholds Ukraine's borders)",
        "tzdata zone1970.tab lists Europe/Simferopol ('Crimea') for RU,UA; its polygon is the peninsula with Sevastopol",
        zone="Europe/Simferopol",
    ),
    DisputedArea(
        "northern-cyprus", "Northern Cyprus", ("CY",), "the Turkish Republic of Northern Cyprus (recognised by Türkiye only; UN SC resolution 541)",
        "tzdata zone.tab: Asia/Famagusta, 'Northern Cyprus'; its polygon is the area north of the UN buffer zone",
        zone="Asia/Famagusta",
    ),
    DisputedArea(
        "western-sahara", "Western Sahara", ("MA", "EH"), "Morocco west of the berm, the Sahrawi Republic (Polisario) east of it",
        "tzdata zone.tab: Africa/El_Aaiun (EH); UN list of non-self-governing territories",
        zone="Africa/El_Aaiun",
    ),
    DisputedArea(
        "golan-heights", "Golan Heights", ("SY", "IL"), "Israel (UN SC resolution 497 holds its annexation void; Syria claims it)",
        "Natural Earth 1:50m Admin-0 breakaway and disputed areas (v5.1, public domain), simplified to 0.002°: Admin. by Israel; Claimed by Syria",
        outline=(
            (35.8419, 32.876), (35.8333, 32.8201), (35.7873, 32.7349), (35.7344, 32.7289), (35.6112, 32.6821), (35.5917, 32.7227),
            (35.6081, 32.7598), (35.6357, 32.8073), (35.6329, 32.8666), (35.6145, 32.8909), (35.5886, 32.9528), (35.5773, 33.0096),
            (35.6006, 33.0396), (35.6353, 33.1183), (35.6407, 33.2002), (35.6029, 33.2406), (35.6272, 33.275), (35.7344, 33.3326),
            (35.7875, 33.3698), (35.8407, 33.4157), (35.8161, 33.3619), (35.7925, 33.3341), (35.785, 33.2911), (35.8, 33.2561),
            (35.8086, 33.2086), (35.8268, 33.1951), (35.8334, 33.1611), (35.8172, 33.1332), (35.8247, 33.108), (35.8451, 33.0847),
            (35.859, 32.9902), (35.888, 32.9444), (35.8419, 32.876),
        ),
        precision_km=1.0,
    ),
    DisputedArea(
        "abkhazia", "Abkhazia", ("GE",), "its de facto government (recognised by Russia and a few states)",
        "Natural Earth 1:50m Admin-0 breakaway and disputed areas (v5.1, public domain), simplified to 0.002°: Self admin.; Claimed by Georgia",
        outline=(
            (41.8601, 42.5901), (41.7174, 42.5029), (41.5778, 42.3978), (41.4888, 42.6593), (41.4194, 42.7376), (41.1287, 42.8281),
            (41.0616, 42.9309), (40.8366, 43.0635), (40.5241, 43.121), (40.4621, 43.1457), (40.1907, 43.3124), (39.9783, 43.4198),
            (40.0237, 43.4848), (40.0846, 43.5531), (40.1501, 43.5698), (40.3423, 43.5427), (40.519, 43.512), (40.648, 43.5339),
            (40.8017, 43.4799), (40.942, 43.4181), (41.0831, 43.3745), (41.3582, 43.3334), (41.4608, 43.2763), (41.5805, 43.2192),
            (42.05, 43.1901), (42.0878, 43.1991), (42.0986, 43.1429), (42.0243, 43.0484), (41.9399, 42.9911), (41.9071, 42.9222),
            (41.9321, 42.8624), (41.895, 42.8076), (41.9285, 42.6547), (41.8601, 42.5901),
        ),
        precision_km=1.0,
    ),
    DisputedArea(
        "south-ossetia", "South Ossetia", ("GE",), "its de facto government (recognised by Russia and a few states)",
        "Natural Earth 1:50m Admin-0 breakaway and disputed areas (v5.1, public domain), simplified to 0.002°: Self admin.; Claimed by Georgia",
        outline=(
            (43.6971, 42.672), (43.7417, 42.7079), (43.7826, 42.747), (43.7987, 42.7278), (43.7954, 42.703), (43.7499, 42.6575),
            (43.7383, 42.617), (43.7598, 42.5938), (43.826, 42.5715), (43.9575, 42.5665), (44.0047, 42.5956), (44.1027, 42.6164),
            (44.1997, 42.6536), (44.3543, 42.5127), (44.3948, 42.4613), (44.5545, 42.3627), (44.5999, 42.3378), (44.6173, 42.3044),
            (44.6401, 42.1783), (44.6241, 42.1357), (44.5386, 42.0285), (44.4875, 41.9977), (44.3381, 41.9991), (44.3048, 42.0099),
            (44.2487, 42.0746), (44.2165, 42.0908), (44.1772, 42.09), (44.1263, 42.1222), (44.0816, 42.172), (44.0118, 42.1657),
            (43.9414, 42.149), (43.9068, 42.13), (43.8316, 42.0616), (43.8068, 42.0616), (43.7839, 42.0874), (43.745, 42.1093),
            (43.7036, 42.0986), (43.6554, 42.1076), (43.6118, 42.1546), (43.6008, 42.2035), (43.6199, 42.2513), (43.6396, 42.2819),
            (43.6084, 42.3045), (43.5837, 42.338), (43.5792, 42.3691), (43.5672, 42.3915), (43.5723, 42.5406), (43.6012, 42.6112),
            (43.6971, 42.672),
        ),
        precision_km=1.0,
    ),
    DisputedArea(
        "transnistria", "Transnistria", ("MD",), "its de facto government (recognised by no UN member)",
        "Natural Earth 1:50m Admin-0 breakaway and disputed areas (v5.1, public domain), simplified to 0.002°: Self admin.; Claimed by Moldova",
        outline=(
            (28.5392, 48.1041), (28.463, 48.0905), (28.5305, 48.1503), (28.6017, 48.1444), (28.7738, 48.1196), (28.8658, 47.9957),
            (28.9232, 47.9511), (28.9734, 47.933), (29.037, 47.9523), (29.0929, 47.9754), (29.1254, 47.9645), (29.1948, 47.8824),
            (29.2112, 47.775), (29.2108, 47.7316), (29.1861, 47.6586), (29.1509, 47.5809), (29.123, 47.5304), (29.1349, 47.4897),
            (29.1598, 47.4557), (29.2006, 47.4445), (29.3337, 47.3757), (29.3834, 47.328), (29.4557, 47.2926), (29.5106, 47.2907),
            (29.5392, 47.271), (29.5493, 47.2468), (29.5418, 47.1855), (29.511, 47.128), (29.515, 47.0911), (29.5635, 47.0475),
            (29.572, 46.964), (29.5978, 46.9388), (29.7198, 46.8829), (29.8778, 46.8289), (29.9181, 46.7824), (29.9425, 46.7238),
            (29.9243, 46.5389), (29.8983, 46.5534), (29.8051, 46.5809), (29.7698, 46.601), (29.7634, 46.6205), (29.7481, 46.6409),
            (29.6934, 46.6645), (29.674, 46.6892), (29.6898, 46.715), (29.6768, 46.7561), (29.6352, 46.8126), (29.5887, 46.8274),
            (29.5373, 46.8006), (29.4986, 46.8287), (29.4724, 46.9118), (29.4236, 46.9547), (29.3106, 46.9671), (29.3002, 46.9839),
            (29.3167, 47.0046), (29.3603, 47.0294), (29.3592, 47.0664), (29.3136, 47.1158), (29.265, 47.146), (29.2151, 47.1431),
            (29.1723, 47.1356), (29.137, 47.1356), (29.1319, 47.1532), (29.1446, 47.181), (29.1539, 47.2348), (29.1037, 47.3102),
            (29.1164, 47.3405), (29.1199, 47.3685), (29.103, 47.3918), (29.0894, 47.4208), (29.1035, 47.4496), (29.0795, 47.5036),
            (29.0175, 47.5827), (28.9944, 47.6801), (29.0102, 47.7957), (28.9339, 47.8979), (28.7656, 47.9866), (28.6533, 48.0171),
            (28.6044, 48.009), (28.5718, 48.028), (28.5745, 48.0687), (28.5392, 48.1041),
        ),
        precision_km=1.0,
    ),
    DisputedArea(
        "kashmir", "Kashmir", ("IN", "PK", "CN"), "India, Pakistan and China, each a part claimed by another",
        "Natural Earth 1:50m Admin-0 breakaway and disputed areas (v5.1, public domain), simplified to 0.01°: Jammu and Kashmir, Gilgit-Baltistan, Siachen, Aksai Chin and the Shaksgam valley, merged",
        outline=(
            (72.5542, 36.1565), (72.5839, 36.236), (72.7798, 36.3351), (73.0464, 36.5543), (73.0953, 36.6888), (73.1354, 36.7135),
            (73.4868, 36.7417), (73.6537, 36.7293), (73.8022, 36.738), (73.8411, 36.7713), (73.7428, 36.8535), (73.7318, 36.8878),
            (74.0389, 36.8257), (74.5414, 37.0222), (74.6922, 37.0357), (74.8893, 36.9525), (75.054, 36.9871), (75.3466, 36.9135),
            (75.3769, 36.8837), (75.4243, 36.7382), (75.4603, 36.7251), (75.5737, 36.7593), (75.6672, 36.742), (75.7722, 36.6949),
            (75.885, 36.6007), (75.952, 36.4581), (76.1148, 36.4224), (76.2572, 36.3314), (76.3681, 36.3117), (76.4829, 36.218),
            (76.7153, 36.1556), (76.7528, 36.1054), (76.7823, 35.9294), (76.8259, 35.875), (77.0219, 35.8089), (77.1598, 35.7252),
            (77.3401, 35.7145), (77.4773, 35.6283), (77.5204, 35.4734), (77.7241, 35.4806), (78.045, 35.5475), (78.133, 35.5811),
            (78.1938, 35.6349), (78.3458, 35.7218), (78.5547, 35.7885), (78.6731, 35.8693), (79.0975, 35.8868), (79.1656, 35.9424),
            (79.3523, 35.9743), (79.389, 35.9629), (79.4539, 35.8906), (79.7348, 35.8096), (79.8609, 35.7872), (79.9293, 35.8265),
            (80.0029, 35.8194), (80.072, 35.7384), (80.263, 35.626), (80.3129, 35.5789), (80.311, 35.5398), (80.2642, 35.2706),
            (80.205, 35.177), (80.1748, 34.9872), (80.0915, 34.8392), (80.028, 34.6594), (79.8764, 34.6558), (79.7446, 34.537),
            (79.7167, 34.4248), (79.5363, 34.4196), (79.5168, 34.4025), (79.5443, 34.2361), (79.4841, 34.1074), (79.4328, 34.055),
            (79.2748, 34.0196), (78.9313, 33.9995), (78.8973, 33.9643), (78.894, 33.9274), (78.917, 33.863), (78.9907, 33.7223),
            (79.0018, 33.6713), (78.8969, 33.5568), (78.9167, 33.3868), (79.0126, 33.2915), (79.1125, 33.2263), (79.1352, 33.1719),
            (79.1028, 33.0526), (79.1086, 33.0228), (79.2022, 32.9461), (79.2056, 32.8091), (79.2279, 32.7588), (79.2194, 32.5011),
            (79.1274, 32.4758), (79.067, 32.3882), (78.919, 32.3582), (78.7712, 32.4681), (78.7367, 32.5583), (78.7007, 32.5969),
            (78.4125, 32.5577), (78.3918, 32.5447), (78.3897, 32.5199), (78.2958, 32.4556), (78.2728, 32.4632), (78.2734, 32.5159),
            (78.3641, 32.6058), (78.3724, 32.6433), (78.3729, 32.6875), (78.3428, 32.7308), (78.3159, 32.7321), (78.1733, 32.6625),
            (77.9871, 32.6205), (77.9155, 32.6686), (77.8753, 32.7532), (77.7391, 32.9518), (77.7089, 32.9502), (77.6127, 32.8877),
            (77.4364, 32.8244), (77.2192, 32.8467), (76.9777, 32.9672), (76.7888, 33.1335), (76.5046, 33.1619), (76.4456, 33.15),
            (75.9743, 32.8831), (75.8419, 32.8768), (75.8361, 32.8471), (75.9243, 32.7229), (75.902, 32.6395), (75.8343, 32.5188),
            (75.512, 32.3107), (75.3026, 32.3189), (75.2337, 32.3721), (74.9874, 32.4622), (74.7889, 32.4578), (74.6858, 32.4938),
            (74.6578, 32.5189), (74.6434, 32.6077), (74.6629, 32.7578), (74.6324, 32.7709), (74.5882, 32.7532), (74.4833, 32.771),
            (74.3546, 32.7687), (74.1495, 32.9004), (73.9549, 32.9939), (73.6431, 33.1045), (73.6154, 33.2371), (73.6159, 33.527),
            (73.5813, 33.668), (73.5761, 33.8494), (73.5032, 34.0738), (73.4839, 34.2154), (73.4223, 34.3706), (73.4348, 34.4889),
            (73.48, 34.5662), (73.623, 34.5982), (73.6776, 34.7036), (73.8045, 34.793), (74.0116, 34.8953), (74.0745, 35.0143),
            (74.0909, 35.1036), (74.0381, 35.1433), (73.7615, 35.2466), (73.713, 35.2837), (73.6932, 35.319), (73.6977, 35.3599),
            (73.7747, 35.4685), (73.7657, 35.4974), (73.7387, 35.5159), (73.4724, 35.5365), (73.345, 35.5919), (73.1613, 35.7101),
            (73.1343, 35.7521), (73.1167, 35.8332), (73.0725, 35.8576), (72.8786, 35.8738), (72.7396, 35.8459), (72.5657, 35.8971),
            (72.5542, 36.1565),
        ),
        precision_km=2.0,
    ),
)
# fmt: on


def disputed_by_zone(zone_name: str | None) -> DisputedArea | None:
    """The disputed area whose outline is the boundary polygon of ``zone_name``, if any.

    Examples
    --------
    >>> disputed_by_zone("Europe/Simferopol").claimants
    ('UA', 'RU')
    >>> disputed_by_zone("Europe/Kyiv") is None
    True
    """
    return next((a for a in DISPUTED if zone_name is not None and a.zone == zone_name), None)
