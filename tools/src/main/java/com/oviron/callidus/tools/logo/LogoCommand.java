package com.oviron.callidus.tools.logo;

import com.oviron.callidus.tools.logo.LogoException.Problem;
import java.awt.Color;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code logo}: composes the unit's display logo from a clinic's SVG and its dentists' names
 * ({@link LogoComposer}) and writes it atomically ({@link LogoFileWriter}).
 */
public final class LogoCommand {
    static final String USAGE = """
            Usage: java -jar tools/target/callidus-tools.jar logo --svg <file> --name <name> [--name <name>...]
                   --out <file> [--width 1280] [--height 800] [--background #ffffff] [--text-color #rrggbb]
                   [--format png|jpeg]

            Renders the clinic's SVG logo scaled to fit the upper part of the image and up to 8 names below it,
            one per line, centred, in a sans-serif font sized so that the longest name fits (16 px at least).
            The default size is the unit's display, 1280x800; width and height may be 64..4096. The text colour
            is dark grey on a light background and near-white on a dark one unless --text-color is given.
            The format is png unless --format says jpeg or --out ends in .jpg or .jpeg; the file must stay
            under 4 MiB (the display's limit). The SVG must be self-contained (no links to files or URLs) and
            at most 10 MiB. Names with Cyrillic or other scripts need an installed font that has them.

            Exit 0 when written, 2 with a one-line reason when an option or the input is unusable, 1 when the
            file cannot be written.
            """;

    /** Held so that the setting below is not lost when the logger is collected. */
    private static final Logger JSVG_LOG = Logger.getLogger("com.github.weisj.jsvg");

    private LogoCommand() {
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        // every failure becomes our own one-line reason; JSVG's log records (with stack traces) would bury it
        JSVG_LOG.setLevel(Level.OFF);
        Options options;
        try {
            options = Options.parse(args);
        } catch (LogoException e) {
            err.println("error: " + e.getMessage() + " (logo --help shows the options)");
            return 2;
        }
        if (options.help) {
            out.print(USAGE);
            return 0;
        }
        try {
            byte[] svg = readSvg(options.svg);
            ComposedLogo logo = new LogoComposer().compose(svg, options.names, options.layout);
            LogoFileWriter writer = new LogoFileWriter();
            byte[] encoded = writer.encode(logo.image(), options.format);
            writer.writeAtomically(encoded, options.out);
            out.println("wrote " + options.out + ": " + options.format.imageIoName() + " " + options.layout.width()
                    + "x" + options.layout.height() + ", " + encoded.length + " bytes" + describeNames(logo));
            return 0;
        } catch (LogoException e) {
            err.println("error: " + e.getMessage());
            return e.problem() == Problem.WRITE_FAILED ? 1 : 2;
        }
    }

    private static String describeNames(ComposedLogo logo) {
        if (logo.names().isEmpty()) {
            return "; no names";
        }
        List<String> families = logo.names().stream().map(ComposedLogo.NameLine::fontFamily).distinct().toList();
        return "; " + logo.names().size() + (logo.names().size() == 1 ? " name" : " names") + " at "
                + logo.names().get(0).fontPx() + " px in " + String.join(", ", families);
    }

    static byte[] readSvg(Path file) throws LogoException {
        try {
            if (Files.isDirectory(file)) {
                throw new LogoException(Problem.SVG_UNREADABLE, "cannot read SVG " + file + ": it is a folder");
            }
            try (InputStream in = Files.newInputStream(file)) {
                byte[] bytes = in.readNBytes(SvgLogo.MAX_SVG_BYTES + 1);
                if (bytes.length > SvgLogo.MAX_SVG_BYTES) {
                    throw new LogoException(Problem.SVG_UNREADABLE, "SVG " + file + " is larger than "
                            + SvgLogo.MAX_SVG_BYTES + " bytes; a logo should be far smaller");
                }
                return bytes;
            }
        } catch (NoSuchFileException e) {
            throw new LogoException(Problem.SVG_UNREADABLE, "cannot read SVG " + file + ": no such file", e);
        } catch (IOException e) {
            throw new LogoException(Problem.SVG_UNREADABLE, "cannot read SVG " + file + ": " + e, e);
        }
    }

    /** The command line, checked. */
    private static final class Options {
        boolean help;
        Path svg;
        Path out;
        final List<String> names = new ArrayList<>();
        LogoLayout layout;
        OutputFormat format;

        static Options parse(String[] args) throws LogoException {
            Options o = new Options();
            int width = LogoLayout.DEFAULT_WIDTH;
            int height = LogoLayout.DEFAULT_HEIGHT;
            Color background = LogoLayout.DEFAULT_BACKGROUND;
            Optional<Color> textColor = Optional.empty();
            Optional<OutputFormat> format = Optional.empty();
            for (int i = 0; i < args.length; i++) {
                String option = args[i];
                if (option.equals("--help")) {
                    o.help = true;
                    return o;
                }
                if (!option.startsWith("--")) {
                    throw new LogoException(Problem.BAD_OPTION, "unexpected argument '" + option + "'");
                }
                if (i + 1 >= args.length) {
                    throw new LogoException(Problem.BAD_OPTION, option + " needs a value");
                }
                String value = args[++i];
                switch (option) {
                    case "--svg" -> o.svg = Path.of(value);
                    case "--name" -> o.names.add(value);
                    case "--out" -> o.out = Path.of(value);
                    case "--width" -> width = dimension(option, value);
                    case "--height" -> height = dimension(option, value);
                    case "--background" -> background = color(option, value);
                    case "--text-color" -> textColor = Optional.of(color(option, value));
                    case "--format" -> format = Optional.of(OutputFormat.parse(value));
                    default -> throw new LogoException(Problem.BAD_OPTION, "unknown option '" + option + "'");
                }
            }
            if (o.svg == null) {
                throw new LogoException(Problem.BAD_OPTION, "--svg <file> is required");
            }
            if (o.out == null) {
                throw new LogoException(Problem.BAD_OPTION, "--out <file> is required");
            }
            try {
                o.layout = new LogoLayout(width, height, background, textColor);
            } catch (IllegalArgumentException e) {
                throw new LogoException(Problem.BAD_DIMENSIONS, e.getMessage());
            }
            o.format = format(format, o.out);
            return o;
        }

        /** --format wins; otherwise the --out extension; otherwise png. A contradiction is an error. */
        private static OutputFormat format(Optional<OutputFormat> given, Path out) throws LogoException {
            String name = out.getFileName() == null ? "" : out.getFileName().toString().toLowerCase(Locale.ROOT);
            Optional<OutputFormat> byExtension = name.endsWith(".png") ? Optional.of(OutputFormat.PNG)
                    : name.endsWith(".jpg") || name.endsWith(".jpeg") ? Optional.of(OutputFormat.JPEG)
                    : Optional.empty();
            if (given.isPresent() && byExtension.isPresent() && given.get() != byExtension.get()) {
                throw new LogoException(Problem.BAD_OPTION, "--out " + out + " does not match --format "
                        + given.get().imageIoName());
            }
            return given.or(() -> byExtension).orElse(OutputFormat.PNG);
        }

        private static int dimension(String option, String value) throws LogoException {
            try {
                return Integer.parseInt(value.strip());
            } catch (NumberFormatException e) {
                throw new LogoException(Problem.BAD_DIMENSIONS, option + " '" + value + "' is not a whole number of"
                        + " pixels (" + LogoLayout.MIN_SIDE_PX + ".." + LogoLayout.MAX_SIDE_PX + ")");
            }
        }

        private static Color color(String option, String value) throws LogoException {
            try {
                return LogoLayout.parseColor(value);
            } catch (IllegalArgumentException e) {
                throw new LogoException(Problem.BAD_OPTION, option + ": " + e.getMessage());
            }
        }
    }
}
