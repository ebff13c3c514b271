package com.oviron.callidus.tools.logo;

import com.oviron.callidus.tools.logo.LogoException.Problem;
import java.awt.Font;
import java.awt.GraphicsEnvironment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Picks the font for a name: the JDK's logical "SansSerif" when it has every glyph (on Debian it is backed by
 * DejaVu Sans, which has Latin, Greek and Cyrillic), otherwise the first installed family that has them all,
 * sans-serif families first ({@link #PREFERRED_FAMILIES}, then any family with "Sans" in its name, then the rest).
 */
final class NameFonts {
    static final String LOGICAL_FAMILY = Font.SANS_SERIF;
    static final List<String> PREFERRED_FAMILIES = List.of("DejaVu Sans", "Noto Sans", "Liberation Sans",
            "FreeSans");
    /** What to install on Debian when no font has a name's characters. */
    static final String FONT_PACKAGE_HINT = "fonts-dejavu-core, or fonts-noto-core for other scripts";

    private final List<String> fallbackFamilies;

    private NameFonts(List<String> fallbackFamilies) {
        this.fallbackFamilies = fallbackFamilies;
    }

    /** The fonts installed on this machine. */
    static NameFonts installed() {
        String[] families = GraphicsEnvironment.getLocalGraphicsEnvironment()
                .getAvailableFontFamilyNames(Locale.ROOT);
        List<String> ordered = new ArrayList<>();
        for (String preferred : PREFERRED_FAMILIES) {
            if (Arrays.asList(families).contains(preferred)) {
                ordered.add(preferred);
            }
        }
        for (String family : families) {
            if (!ordered.contains(family) && family.toLowerCase(Locale.ROOT).contains("sans")) {
                ordered.add(family);
            }
        }
        for (String family : families) {
            if (!ordered.contains(family)) {
                ordered.add(family);
            }
        }
        return new NameFonts(List.copyOf(ordered));
    }

    /** A plain font of size 1 (to be derived to the size wanted) that can display every character of the name. */
    Font forName(String name) throws LogoException {
        Font logical = new Font(LOGICAL_FAMILY, Font.PLAIN, 1);
        if (logical.canDisplayUpTo(name) == -1) {
            return logical;
        }
        for (String family : fallbackFamilies) {
            Font font = new Font(family, Font.PLAIN, 1);
            if (font.canDisplayUpTo(name) == -1) {
                return font;
            }
        }
        int at = logical.canDisplayUpTo(name);
        int codePoint = name.codePointAt(at);
        throw new LogoException(Problem.NO_FONT_FOR_NAME, "no installed font can display the name '" + name
                + "': character U+" + String.format(Locale.ROOT, "%04X", codePoint) + " at position " + (name.codePointCount(0, at) + 1)
                + " (install a font that has it; Debian: " + FONT_PACKAGE_HINT + ")");
    }
}
