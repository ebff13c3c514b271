package com.oviron.callidus.tools.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No secrets in the log, ever: a full demo run (every cloud step: the subscription token installed, live data,
 * a logo, an X-ray image through the encrypted vault, settings, a report; a broker outage, whose reconnect
 * attempts log at debug) with the agent's log at debug level,
 * then the log is searched for the token, the vault key and the MQTT password, in every form they exist in.
 */
class DemoSecretsIT {
    @TempDir
    Path dir;

    @Test
    void a_debug_log_of_a_full_demo_run_holds_no_token_key_or_password() throws Exception {
        // a child JVM, as tools/demo runs it: tinylog is configured once per JVM, and other demo runs in this
        // test JVM would have fixed where the agent's log goes
        Path jar = Path.of("target", "callidus-tools.jar");
        assertTrue(Files.exists(jar), "run after package: " + jar.toAbsolutePath());
        Path output = dir.resolve("demo-output.txt");
        Process demo = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                jar.toString(), "demo", "--duration", "45s", "--outage-at", "5s", "--outage-for", "5s",
                "--log-level", "debug", "--refresh", "5s", "--sample-period", "50ms", "--data-dir",
                dir.resolve("demo").toString())
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        demo.getOutputStream().close();
        assertTrue(demo.waitFor(5, TimeUnit.MINUTES), "the demo did not end");
        String text = Files.readString(output, StandardCharsets.UTF_8);
        assertEquals(0, demo.exitValue(), text);
        // the cloud steps done depend on the machine's speed; the token and the password exist in any run
        assertTrue(text.contains("steps done"), "a run to its summary:\n" + text);
        Path data = dir.resolve("demo");

        String log = Files.readString(data.resolve("agent.log"), StandardCharsets.UTF_8);
        assertTrue(log.contains(" DEBUG "), "the log is at debug level");

        List<String> secrets = new ArrayList<>();
        String token = Files.readString(data.resolve("subscription-token.jws"), StandardCharsets.UTF_8).strip();
        assertEquals(3, token.split("\\.").length, token);
        secrets.add(token);
        secrets.add(token.split("\\.")[2]); // the signature
        if (Files.exists(data.resolve("xray.key"))) { // made when the first X-ray image enters the vault
            byte[] vaultKey = Files.readAllBytes(data.resolve("xray.key"));
            assertTrue(vaultKey.length >= 32, "the vault key file");
            secrets.add(Base64.getEncoder().encodeToString(vaultKey));
            secrets.add(Base64.getUrlEncoder().withoutPadding().encodeToString(vaultKey));
            secrets.add(HexFormat.of().formatHex(vaultKey));
        }
        String password = JsonParser.parseString(Files.readString(data.resolve("agent.json"))).getAsJsonObject()
                .getAsJsonObject("mqtt").get("password").getAsString();
        assertTrue(password.startsWith("demo-"), password);
        secrets.add(password);

        for (String secret : secrets) {
            assertFalse(log.contains(secret), "the log shows a secret: " + secret.substring(0, 6) + "...");
            assertFalse(text.contains(secret), "the demo's output shows a secret: " + secret.substring(0, 6) + "...");
        }
    }
}
