package com.oviron.callidus.tools.logo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.weisj.jsvg.SVGDocument;
import com.github.weisj.jsvg.parser.LoaderContext;
import com.github.weisj.jsvg.parser.SVGLoader;
import com.github.weisj.jsvg.parser.resources.ResourcePolicy;
import com.sun.net.httpserver.HttpServer;
import java.awt.Color;
import java.awt.Component;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * JSVG as the composer configures it reads nothing outside the document, even when the XML pre-scan is not there.
 * Each case has a control: the same SVG loaded with JSVG's {@code ALLOW_ALL} policy does read the resource and
 * draws it, so a pass means "refused", not "the fixture could never have been loaded".
 */
class SelfContainedResourcesTest {
    private static final Color RED = new Color(0xFF, 0x00, 0x00);

    @TempDir
    Path dir;

    private HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();

    @BeforeEach
    void startServer() throws Exception {
        byte[] png = Fixtures.png(8, 8, RED);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            exchange.getResponseHeaders().add("Content-Type", "image/png");
            exchange.sendResponseHeaders(200, png.length);
            exchange.getResponseBody().write(png);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    @Test
    void does_not_read_a_local_file_named_by_an_absolute_file_uri() throws Exception {
        Path red = dir.resolve("red.png");
        Files.write(red, Fixtures.png(8, 8, RED));
        byte[] svg = Fixtures.svgWithImage(red.toUri().toString());

        assertTrue(Fixtures.close(RED, centre(allowAll(svg)), 0), "control: ALLOW_ALL draws the file");

        SelfContainedResources resources = new SelfContainedResources();
        int centre = centre(SvgLogo.load(svg, resources));
        assertEquals(Color.WHITE.getRGB(), centre, "the file must not be drawn");
        assertTrue(resources.refused().contains(red.toUri().toString()), resources.refused().toString());
    }

    @Test
    void does_not_fetch_an_http_url() throws Exception {
        String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/logo.png";
        byte[] svg = Fixtures.svgWithImage(url);

        assertTrue(Fixtures.close(RED, centre(allowAll(svg)), 0), "control: ALLOW_ALL fetches the URL");
        assertEquals(1, requests.getAndSet(0));

        SelfContainedResources resources = new SelfContainedResources();
        assertEquals(Color.WHITE.getRGB(), centre(SvgLogo.load(svg, resources)));
        assertEquals(0, requests.get(), "no request may reach the server");
        assertEquals(java.util.List.of(url), resources.refused());
    }

    @Test
    void does_not_resolve_a_relative_reference() throws Exception {
        Files.write(dir.resolve("red.png"), Fixtures.png(8, 8, RED));
        byte[] svg = Fixtures.svgWithImage("red.png");
        SVGDocument control = new SVGLoader().load(new ByteArrayInputStream(svg), dir.resolve("logo.svg").toUri(),
                LoaderContext.builder().externalResourcePolicy(ResourcePolicy.ALLOW_ALL).build());
        assertTrue(Fixtures.close(RED, centre(control), 0), "control: with a base URI JSVG reads the neighbour");

        SelfContainedResources resources = new SelfContainedResources();
        assertEquals(Color.WHITE.getRGB(), centre(SvgLogo.load(svg, resources)));
        assertEquals(java.util.List.of("red.png"), resources.refused());
    }

    @Test
    void reads_an_embedded_data_image() {
        SelfContainedResources resources = new SelfContainedResources();
        byte[] svg = Fixtures.svgWithImage(Fixtures.dataUri(Fixtures.png(8, 8, RED)));
        assertTrue(Fixtures.close(RED, centre(SvgLogo.load(svg, resources)), 0));
        assertTrue(resources.refused().isEmpty());
        assertTrue(resources.rejectedImages().isEmpty());
    }

    private static SVGDocument allowAll(byte[] svg) {
        return new SVGLoader().load(new ByteArrayInputStream(svg), null,
                LoaderContext.builder().externalResourcePolicy(ResourcePolicy.ALLOW_ALL).build());
    }

    /** Renders at 100x100 on white and returns the centre pixel. */
    private static int centre(SVGDocument document) {
        assertNotNull(document);
        BufferedImage image = new BufferedImage(100, 100, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, 100, 100);
        document.render((Component) null, g, null);
        g.dispose();
        return image.getRGB(50, 50);
    }
}
