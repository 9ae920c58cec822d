"""Screen geometry (pixels, portrait) of common phones, tablets and computer displays.

A screenshot has exactly the pixel size of the screen that took it. Sources:
the manufacturers' published display specifications (Apple, Samsung, Google)
and the StatCounter lists of common desktop resolutions.
"""

SCREENS: dict[tuple[int, int], str] = {
    # phones (width x height in portrait)
    (640, 1136): "iPhone 5/5s/SE (1st gen)",
    (750, 1334): "iPhone 6/6s/7/8/SE (2nd, 3rd gen)",
    (1242, 2208): "iPhone 6/7/8 Plus",
    (1080, 1920): "1920×1080: iPhone Plus (zoomed), 1080p Android phones, full-HD displays",
    (1125, 2436): "iPhone X/XS/11 Pro",
    (828, 1792): "iPhone XR/11",
    (1242, 2688): "iPhone XS Max/11 Pro Max",
    (1170, 2532): "iPhone 12/13/14",
    (1179, 2556): "iPhone 14 Pro/15/16",
    (1284, 2778): "iPhone 12/13 Pro Max, 14 Plus",
    (1290, 2796): "iPhone 14 Pro Max/15 Plus/16 Plus",
    (1080, 2340): "iPhone 12/13 mini, many Android phones",
    (720, 1280): "1280×720: 720p Android phones and displays",
    (1440, 2560): "2560×1440: QHD Android phones (Galaxy S6/S7), QHD displays",
    (1440, 2960): "Galaxy S8/S9",
    (1080, 2220): "Galaxy S8/S9 (FHD+ setting)",
    (1440, 3040): "Galaxy S10",
    (1080, 2400): "many 20:9 Android phones",
    (1440, 3200): "Galaxy S20/S21 Ultra",
    (1080, 2280): "19:9 Android phones",
    (480, 800): "early Android phones",
    (540, 960): "qHD Android phones",
    # tablets
    (768, 1024): "iPad (non-Retina)",
    (1536, 2048): "iPad Retina",
    (1668, 2224): "iPad Pro 10.5",
    (1668, 2388): "iPad Pro 11",
    (2048, 2732): "iPad Pro 12.9",
    (1620, 2160): "iPad 10.2",
    (1640, 2360): "iPad Air/iPad 10th gen",
    # computer displays (landscape sizes stored portrait-first like the rest)
    (768, 1366): "1366×768 laptop display",
    (900, 1440): "1440×900, e.g. a MacBook Air",
    (1050, 1680): "1680×1050 display",
    (1200, 1920): "1920×1200 display",
    (1600, 2560): '2560×1600 display (MacBook Pro Retina 13")',
    (1800, 2880): '2880×1800 display (MacBook Pro Retina 15")',
    (1964, 3024): '3024×1964 display (MacBook Pro 14")',
    (2234, 3456): '3456×2234 display (MacBook Pro 16")',
    (2160, 3840): "3840×2160 display (4K)",
    (864, 1536): "1536×864 display",
    (800, 1280): "1280×800 display",
    (1024, 1280): "1280×1024 display",
    (900, 1600): "1600×900 display",
}


def screen_for(width: int | None, height: int | None) -> str | None:
    """The screen whose pixel size equals ``width``×``height`` in either orientation."""
    if not width or not height:
        return None
    return SCREENS.get((min(width, height), max(width, height)))
