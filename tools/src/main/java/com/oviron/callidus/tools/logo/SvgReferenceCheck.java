package com.oviron.callidus.tools.logo;

import com.oviron.callidus.tools.logo.LogoException.Problem;
import java.io.ByteArrayInputStream;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.XMLConstants;
import javax.xml.stream.Location;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * Reads an SVG's XML once before JSVG sees it, to turn the two things staff most often get wrong into a clear
 * one-line reason: the file is not well-formed SVG, or it refers to something outside itself.
 *
 * <p>A logo must be self-contained: every {@code href} is a fragment ({@code #id}) or embedded data
 * ({@code data:}), every {@code url(...)} in an attribute, a {@code style} attribute or a {@code <style>}
 * element is {@code url(#id)} or {@code url(data:...)}, there is no CSS {@code @import}, no
 * {@code <?xml-stylesheet?>} and no entity reference. A {@code <!DOCTYPE>} is allowed and never fetched (DTD
 * support is off, as in JSVG). JSVG is also configured to refuse external resources ({@link SvgLogo}); this check
 * is what makes the refusal an error instead of a logo quietly drawn without a part.
 */
final class SvgReferenceCheck {
    private static final Pattern URL_FUNCTION = Pattern.compile("url\\(\\s*(['\"]?)(.*?)\\1\\s*\\)",
            Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    private static final Pattern JDK_PARSE_ERROR = Pattern.compile(
            "ParseError at \\[row,col\\]:\\[(\\d+),(\\d+)\\]\\s*Message:\\s*(.*)", Pattern.DOTALL);
    private static final int MAX_SHOWN_CHARS = 80;

    private SvgReferenceCheck() {
    }

    /** Throws {@link Problem#SVG_NOT_PARSEABLE} or {@link Problem#SVG_EXTERNAL_REFERENCE} with the place. */
    static void check(byte[] svg) throws LogoException {
        XMLInputFactory factory = XMLInputFactory.newFactory();
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        factory.setProperty(XMLInputFactory.IS_REPLACING_ENTITY_REFERENCES, false);
        factory.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        factory.setProperty(XMLInputFactory.IS_COALESCING, true);
        XMLStreamReader xml = null;
        try {
            xml = factory.createXMLStreamReader(new ByteArrayInputStream(svg));
            boolean seenRoot = false;
            int depth = 0;
            int styleDepth = -1;
            while (xml.hasNext()) {
                int event = xml.next();
                switch (event) {
                    case XMLStreamConstants.START_ELEMENT -> {
                        depth++;
                        String element = xml.getLocalName();
                        if (!seenRoot) {
                            if (!element.equals("svg")) {
                                throw new LogoException(Problem.SVG_NOT_PARSEABLE,
                                        "not an SVG document: the root element is <" + element + ">, not <svg>");
                            }
                            seenRoot = true;
                        }
                        if (element.equals("style") && styleDepth < 0) {
                            styleDepth = depth;
                        }
                        checkAttributes(xml, element);
                    }
                    case XMLStreamConstants.END_ELEMENT -> {
                        if (depth == styleDepth) {
                            styleDepth = -1;
                        }
                        depth--;
                    }
                    case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA -> {
                        if (styleDepth > 0) {
                            checkCss(xml.getText(), "<style>", xml.getLocation());
                        }
                    }
                    case XMLStreamConstants.PROCESSING_INSTRUCTION -> {
                        if ("xml-stylesheet".equalsIgnoreCase(xml.getPITarget())) {
                            throw external("an <?xml-stylesheet?> instruction", xml.getPIData(), xml.getLocation());
                        }
                    }
                    case XMLStreamConstants.DTD -> {
                        if (xml.getText() != null && xml.getText().contains("<!ENTITY")) {
                            throw new LogoException(Problem.SVG_EXTERNAL_REFERENCE, "SVG declares XML entities in"
                                    + " its DOCTYPE " + at(xml.getLocation()) + " (entities are not supported and"
                                    + " never read; export the logo as plain SVG)");
                        }
                    }
                    case XMLStreamConstants.ENTITY_REFERENCE -> throw new LogoException(Problem.SVG_EXTERNAL_REFERENCE,
                            "SVG uses the XML entity &" + xml.getLocalName() + "; " + at(xml.getLocation())
                                    + " (entities are not supported; export the logo as plain SVG)");
                    default -> {
                    }
                }
            }
            if (!seenRoot) {
                throw new LogoException(Problem.SVG_NOT_PARSEABLE, "not an SVG document: no root element");
            }
        } catch (XMLStreamException e) {
            throw new LogoException(Problem.SVG_NOT_PARSEABLE, "SVG is not well-formed XML: " + oneLine(e), e);
        } finally {
            close(xml);
        }
    }

    private static void checkAttributes(XMLStreamReader xml, String element) throws LogoException {
        for (int i = 0; i < xml.getAttributeCount(); i++) {
            String name = xml.getAttributeLocalName(i);
            String value = xml.getAttributeValue(i);
            String where = "<" + element + " " + qualified(xml.getAttributePrefix(i), name) + ">";
            if (name.equals("href") && !isInside(value.strip())) {
                throw external(where, value, xml.getLocation());
            }
            checkCss(value, where, xml.getLocation());
        }
    }

    /** Every {@code url(...)} must stay inside the document, and nothing may be imported. */
    private static void checkCss(String text, String where, Location location) throws LogoException {
        Matcher url = URL_FUNCTION.matcher(text);
        while (url.find()) {
            if (!isInside(url.group(2).strip())) {
                throw external(where, url.group(), location);
            }
        }
        if (text.toLowerCase(Locale.ROOT).contains("@import")) {
            throw external(where, "@import", location);
        }
    }

    /** A fragment of this document, embedded data, or nothing. */
    private static boolean isInside(String reference) {
        return reference.isEmpty() || reference.startsWith("#")
                || reference.regionMatches(true, 0, "data:", 0, "data:".length());
    }

    private static LogoException external(String where, String reference, Location location) {
        return new LogoException(Problem.SVG_EXTERNAL_REFERENCE, "SVG refers to an external resource in " + where
                + " " + at(location) + ": '" + shorten(reference) + "' (a logo must be self-contained: embed"
                + " images as data: URIs and use only #id references)");
    }

    private static String at(Location location) {
        return location == null ? "" : "at line " + location.getLineNumber() + " column " + location.getColumnNumber();
    }

    private static String qualified(String prefix, String name) {
        return prefix == null || prefix.isEmpty() ? name : prefix + ":" + name;
    }

    private static String oneLine(XMLStreamException e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        // the JDK's StAX messages read "ParseError at [row,col]:[3,5]\nMessage: ..."
        Matcher jdk = JDK_PARSE_ERROR.matcher(message);
        if (jdk.find()) {
            message = "line " + jdk.group(1) + ", column " + jdk.group(2) + ": " + jdk.group(3);
        }
        return shorten(message, MAX_SHOWN_CHARS * 3);
    }

    private static String shorten(String text) {
        return shorten(text, MAX_SHOWN_CHARS);
    }

    private static String shorten(String text, int maxChars) {
        String flat = text.replaceAll("\\s+", " ");
        return flat.length() <= maxChars ? flat : flat.substring(0, maxChars) + "...";
    }

    private static void close(XMLStreamReader xml) {
        if (xml != null) {
            try {
                xml.close();
            } catch (XMLStreamException ignored) {
                // nothing was opened but a byte array
            }
        }
    }
}
