package com.oviron.callidus.tools.logo;

import java.util.Objects;

/**
 * Why a logo could not be composed or written: a one-line message for the person at the keyboard, and the
 * {@link Problem} for code (and tests) that needs to tell the cases apart.
 */
public final class LogoException extends Exception {
    private static final long serialVersionUID = 1L;

    /** The kinds of failure; every one but {@link #WRITE_FAILED} is a problem with the input. */
    public enum Problem {
        /** The SVG file is missing, unreadable, empty or larger than {@link SvgLogo#MAX_SVG_BYTES}. */
        SVG_UNREADABLE,
        /** The bytes are not well-formed XML, not an {@code <svg>} document, or JSVG cannot build them. */
        SVG_NOT_PARSEABLE,
        /** The SVG refers to something outside itself (a file, a URL, a stylesheet), or to an XML entity. */
        SVG_EXTERNAL_REFERENCE,
        /** The SVG has no area to draw (zero or negative width or height). */
        SVG_EMPTY_SIZE,
        /** An image embedded in the SVG (a {@code data:} URI) is too big or not a supported image. */
        SVG_EMBEDDED_IMAGE_REJECTED,
        /** A name is empty or blank. */
        NAME_EMPTY,
        /** A name has a control character or a line break (one name is one line). */
        NAME_INVALID,
        /** A name has more than {@link LogoComposer#MAX_NAME_CHARS} characters. */
        NAME_TOO_LONG,
        /** More than {@link LogoComposer#MAX_NAMES} names. */
        TOO_MANY_NAMES,
        /** A name does not fit the width even at {@link LogoComposer#MIN_FONT_PX}. */
        NAME_DOES_NOT_FIT,
        /** The names do not fit the height of their area even at {@link LogoComposer#MIN_FONT_PX}. */
        NAMES_DO_NOT_FIT,
        /** No installed font can display every character of a name. */
        NO_FONT_FOR_NAME,
        /** Width or height outside {@link LogoLayout#MIN_SIDE_PX}..{@link LogoLayout#MAX_SIDE_PX}. */
        BAD_DIMENSIONS,
        /** An output format other than png or jpeg, or a colour that is not {@code #rrggbb}. */
        BAD_OPTION,
        /** The encoded image is larger than the display accepts ({@link LogoFileWriter#MAX_OUTPUT_BYTES}). */
        OUTPUT_TOO_LARGE,
        /** The output file could not be written (disk full, no permission, ...). */
        WRITE_FAILED
    }

    private final Problem problem;

    public LogoException(Problem problem, String message) {
        super(message);
        this.problem = Objects.requireNonNull(problem, "problem");
    }

    public LogoException(Problem problem, String message, Throwable cause) {
        super(message, cause);
        this.problem = Objects.requireNonNull(problem, "problem");
    }

    public Problem problem() {
        return problem;
    }
}
