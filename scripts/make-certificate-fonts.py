#!/usr/bin/env python3
"""Make the certificate fonts: Fira Sans (OFL) subset to Latin, without layout tables, renamed per OFL §3."""

from fontTools import subset
from fontTools.ttLib import TTFont

UNICODES = (
    list(range(0x20, 0x7F))
    + list(range(0xA0, 0x180))
    + list(range(0x2010, 0x2027))
    + list(range(0x2030, 0x203B))
    + [0x20AC, 0x2122, 0x2212, 0x1E9E]
)
for weight, style in (("Regular", "Regular"), ("SemiBold", "SemiBold")):
    font = TTFont(f"static/vendor/kern/fonts/fira-sans/FiraSans-{weight}.woff2")
    font.flavor = None
    options = subset.Options()
    options.layout_features = []
    options.drop_tables += ["GSUB", "GPOS", "GDEF"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    sub = subset.Subsetter(options)
    sub.populate(unicodes=UNICODES)
    sub.subset(font)
    family = "KfA Zertifikat Sans"
    for record in font["name"].names:
        text = record.toUnicode()
        if record.nameID in (1, 16):
            record.string = family
        elif record.nameID == 4:
            record.string = f"{family} {style}"
        elif record.nameID in (3, 6):
            record.string = f"KfAZertifikatSans-{style}"
    font["OS/2"].version = max(font["OS/2"].version, 4)
    font.save(f"lms/certificates/fonts/KfAZertifikatSans-{style}.ttf")
