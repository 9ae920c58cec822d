"""Programs that re-save pictures, as they name themselves in Software / CreatorTool.

Matching is case-insensitive on a substring. Sources: the Software values these
programs write (seen in ExifTool's sample collection and in the files the
programs produce); camera firmware strings are deliberately absent.
"""

EDITORS: tuple[tuple[str, str], ...] = (
    ("photoshop", "Adobe Photoshop"),
    ("lightroom", "Adobe Lightroom"),
    ("adobe photoshop express", "Adobe Photoshop Express"),
    ("camera raw", "Adobe Camera Raw"),
    ("gimp", "GIMP"),
    ("paint.net", "Paint.NET"),
    ("pixelmator", "Pixelmator"),
    ("affinity photo", "Affinity Photo"),
    ("acdsee", "ACDSee"),
    ("snapseed", "Snapseed"),
    ("picsart", "PicsArt"),
    ("facetune", "Facetune"),
    ("vsco", "VSCO"),
    ("instagram", "Instagram"),
    ("picasa", "Picasa"),
    ("windows photo", "Microsoft Windows Photo Viewer / Editor"),
    ("microsoft photos", "Microsoft Photos"),
    ("irfanview", "IrfanView"),
    ("xnview", "XnView"),
    ("capture one", "Capture One"),
    ("darktable", "darktable"),
    ("rawtherapee", "RawTherapee"),
    ("digikam", "digiKam"),
    ("shotwell", "Shotwell"),
    ("luminar", "Luminar"),
    ("canva", "Canva"),
    ("fotor", "Fotor"),
    ("photoscape", "PhotoScape"),
    ("corel", "Corel"),
    ("imagemagick", "ImageMagick"),
    ("graphicsmagick", "GraphicsMagick"),
    ("python pil", "Pillow"),
    ("meitu", "Meitu"),
    ("lightx", "LightX"),
    ("polarr", "Polarr"),
)


def editor_name(software: str | None) -> str | None:
    """The editor a Software/CreatorTool string names, or None."""
    if not software:
        return None
    s = software.lower()
    for needle, name in EDITORS:
        if needle in s:
            return name
    return None
