package com.oviron.callidus.tools.logo;

import com.github.weisj.jsvg.parser.DomDocument;
import com.github.weisj.jsvg.parser.LoaderContext;
import com.github.weisj.jsvg.parser.resources.RenderableResource;
import com.github.weisj.jsvg.parser.resources.ResourceLoader;
import com.github.weisj.jsvg.parser.resources.ResourceSupplier;
import com.github.weisj.jsvg.parser.resources.impl.DefaultResourcePolicy;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * The JSVG loader settings for a logo: nothing outside the document is ever read, and what was refused is
 * remembered so that the composer can fail with a reason instead of drawing an incomplete logo.
 *
 * <p>What JSVG 2.1 does by default (read in its source, tried): the resource policy is {@code DENY_EXTERNAL}
 * ({@code data:} URIs only; absolute {@code file:} and {@code http:} URIs are refused and logged at INFO),
 * external documents in {@code <use href="other.svg#id">} are not followed, and the StAX parser has DTDs and
 * external entities off. A <em>relative</em> reference is resolved against the document's base URI by that policy
 * whatever its flags say, and refused only by the image loader's second look at the now absolute URI (JSVG then
 * draws its "missing image" placeholder). We do not rely on that chain: we load from bytes with no base URI and
 * set both the policy and the image loader explicitly, so that a change of JSVG's defaults cannot open the door.
 * The policy allows {@code data:} only; the loader reads nothing but {@code data:} images and checks their pixel
 * count in the header before decoding (a small PNG can claim to be 100000x100000).
 */
final class SelfContainedResources {
    /** Embedded images bigger than this (4096x4096) are refused, to keep decoding within bounded memory. */
    static final long MAX_EMBEDDED_IMAGE_PIXELS = 4096L * 4096L;

    private final List<String> refused = Collections.synchronizedList(new ArrayList<>());
    private final List<String> rejectedImages = Collections.synchronizedList(new ArrayList<>());
    private final ResourceLoader dataImages = LoaderContext.createDefault().resourceLoader();

    /** A loader context for one document; JSVG may call it while loading and while rendering. */
    LoaderContext loaderContext() {
        return LoaderContext.builder()
                .externalResourcePolicy(new DataOnlyPolicy())
                .resourceLoader(this::loadImage)
                .build();
    }

    /** The references outside the document that JSVG asked for and was refused, in order. */
    List<String> refused() {
        synchronized (refused) {
            return List.copyOf(refused);
        }
    }

    /** Why embedded images were not drawn. */
    List<String> rejectedImages() {
        synchronized (rejectedImages) {
            return List.copyOf(rejectedImages);
        }
    }

    private ResourceSupplier<RenderableResource> loadImage(DomDocument document, URI uri) throws IOException {
        if (!"data".equalsIgnoreCase(uri.getScheme())) {
            refused.add(uri.toString());
            return null;
        }
        EmbeddedData data;
        try {
            data = EmbeddedData.parse(uri.toString());
        } catch (IllegalArgumentException e) {
            rejectedImages.add("an embedded image's data: URI is malformed: " + e.getMessage());
            return null;
        }
        String problem = checkImage(data);
        if (problem != null) {
            rejectedImages.add(problem);
            return null;
        }
        return dataImages.loadImage(document, uri);
    }

    /** Reads only the header: the size of the image, and whether any installed reader knows its format. */
    private static String checkImage(EmbeddedData data) {
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(data.data()))) {
            Iterator<ImageReader> readers = in == null ? Collections.emptyIterator() : ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                return "an embedded image (" + data.mime() + ") is not in a format that can be read (use PNG or JPEG)";
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
                if (pixels > MAX_EMBEDDED_IMAGE_PIXELS) {
                    return "an embedded image is " + reader.getWidth(0) + "x" + reader.getHeight(0)
                            + ", more than " + MAX_EMBEDDED_IMAGE_PIXELS + " pixels";
                }
                return null;
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            return "an embedded image cannot be read: " + e.getMessage();
        }
    }

    /** The bytes of a {@code data:[<mime>][;base64],<data>} URI (RFC 2397); JSVG's own parser is not public. */
    record EmbeddedData(String mime, byte[] data) {
        static EmbeddedData parse(String uri) {
            int comma = uri.indexOf(',');
            if (!uri.regionMatches(true, 0, "data:", 0, 5) || comma < 0) {
                throw new IllegalArgumentException("no 'data:...,' prefix");
            }
            String header = uri.substring(5, comma);
            String payload = uri.substring(comma + 1);
            boolean base64 = header.toLowerCase(Locale.ROOT).endsWith(";base64");
            String mime = header.split(";", 2)[0].strip();
            byte[] bytes = base64 ? Base64.getMimeDecoder().decode(payload.replace("%20", ""))
                    : URLDecoder.decode(payload.replace("+", "%2B"), StandardCharsets.ISO_8859_1)
                            .getBytes(StandardCharsets.ISO_8859_1);
            return new EmbeddedData(mime.isEmpty() ? "text/plain" : mime, bytes);
        }
    }

    /**
     * {@code data:} only. A subclass of JSVG's own policy that allows no external resources, because JSVG
     * switches to its external-document loader for any policy that is not such a one.
     */
    private final class DataOnlyPolicy extends DefaultResourcePolicy {
        DataOnlyPolicy() {
            super(FLAG_ALLOW_EMBEDDED_DATA);
        }

        @Override
        public URI resolveResourceURI(URI baseDocumentUri, URI resourceUri) {
            if ("data".equalsIgnoreCase(resourceUri.getScheme())) {
                return resourceUri;
            }
            refused.add(resourceUri.toString());
            return null;
        }
    }
}
