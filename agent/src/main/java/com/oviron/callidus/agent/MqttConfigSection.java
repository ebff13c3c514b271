package com.oviron.callidus.agent;

import static com.oviron.callidus.agent.AgentConfigLoader.format;

import com.oviron.callidus.cloud.LinkSettings;
import com.oviron.callidus.cloud.MqttProtocol;
import com.oviron.callidus.cloud.TlsSettings;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;

/**
 * The {@code mqtt} section of the configuration (docs/configuration.md): the brokers, the MQTT version, TLS, the
 * session, timings and limits. Every problem names its key, the value and what is allowed.
 */
final class MqttConfigSection {
    private static final List<String> PROTOCOLS = Arrays.stream(MqttProtocol.values())
            .map(MqttProtocol::configName).toList();
    /** A list longer than this is a mistake, not a cluster. */
    static final int MAX_BROKERS = 16;

    private MqttConfigSection() {
    }

    static AgentConfig.Mqtt read(ConfigSection mqtt, Path baseDir) throws ConfigException {
        String key = mqtt.string("brokerUri", "").isEmpty() ? "mqtt.brokerUris" : "mqtt.brokerUri";
        List<String> brokerUris = brokers(mqtt);
        boolean allowPlainTcp = mqtt.bool("allowPlainTcp", false);
        Optional<TlsSettings> tls = tls(mqtt.section("tls", false), baseDir);
        for (String brokerUri : brokerUris) {
            if (brokerUri.startsWith("tcp://") && !allowPlainTcp) {
                throw new ConfigException(key, "'" + brokerUri + "' is plain TCP: use ssl://host:port with "
                        + "mqtt.tls, or set mqtt.allowPlainTcp to true (development only)");
            }
        }
        boolean anySsl = brokerUris.stream().anyMatch(u -> u.startsWith("ssl://"));
        boolean anyTcp = brokerUris.stream().anyMatch(u -> u.startsWith("tcp://"));
        if (anySsl && anyTcp) {
            throw new ConfigException(key, brokerUris + " mixes ssl:// and tcp:// brokers; use one scheme for all");
        }
        if (anySsl && tls.isEmpty()) {
            throw new ConfigException("mqtt.tls", "is missing; an ssl:// broker needs at least mqtt.tls.caCertificate");
        }
        if (anyTcp && tls.isPresent()) {
            throw new ConfigException("mqtt.tls", "is for ssl:// brokers; the broker URI is plain TCP");
        }
        MqttProtocol protocol = MqttProtocol.fromConfigName(mqtt.oneOf("protocol",
                MqttProtocol.AUTO.configName(), PROTOCOLS)).orElseThrow();
        // Paho takes whole seconds: keepAlive and connectTimeout are rounded down to them
        Duration keepAlive = mqtt.duration("keepAlive", AgentConfigLoader.DEFAULT_KEEP_ALIVE, Duration.ofSeconds(5),
                Duration.ofMinutes(20));
        Duration connectTimeout = mqtt.duration("connectTimeout", AgentConfigLoader.DEFAULT_CONNECT_TIMEOUT,
                Duration.ofSeconds(1), Duration.ofMinutes(5));
        Duration reconnectMin = mqtt.duration("reconnectMin", AgentConfigLoader.DEFAULT_RECONNECT_MIN,
                AgentConfigLoader.RECONNECT_SHORTEST, AgentConfigLoader.RECONNECT_MIN_LONGEST);
        Duration reconnectMax = mqtt.duration("reconnectMax", AgentConfigLoader.DEFAULT_RECONNECT_MAX,
                AgentConfigLoader.RECONNECT_SHORTEST, AgentConfigLoader.RECONNECT_MAX_LONGEST);
        if (reconnectMax.compareTo(reconnectMin) < 0) {
            throw new ConfigException("mqtt.reconnectMax", format(reconnectMax) + " must not be below "
                    + "mqtt.reconnectMin (" + format(reconnectMin) + ")");
        }
        Optional<String> username = Optional.ofNullable(mqtt.string("username", "")).filter(s -> !s.isEmpty());
        Optional<String> password = Optional.ofNullable(mqtt.string("password", "")).filter(s -> !s.isEmpty());
        int maxInflight = (int) mqtt.integer("maxInflight", AgentConfigLoader.DEFAULT_MAX_INFLIGHT,
                1 + AgentConfigLoader.RESERVED_INFLIGHT, 65_535);
        boolean persistentSession = mqtt.bool("persistentSession", true);
        // MQTT 5 only; at least a minute, at most what MQTT 5 can say short of "never"
        Duration sessionExpiry = mqtt.duration("sessionExpiry", LinkSettings.DEFAULT_SESSION_EXPIRY,
                Duration.ofMinutes(1), Duration.ofDays(3650));
        int linkPublishesPerSecond = (int) mqtt.integer("maxPublishesPerSecond",
                AgentConfigLoader.DEFAULT_LINK_PUBLISHES_PER_SECOND, 0, 10_000);
        // the protocol's largest message to the unit must always get through; above 16 MiB a message could
        // take the unit's memory
        int maxIncomingBytes = (int) mqtt.integer("maxIncomingBytes", LinkSettings.DEFAULT_MAX_INCOMING_PAYLOAD,
                LinkSettings.DEFAULT_MAX_INCOMING_PAYLOAD, AgentConfigLoader.MAX_INCOMING_BYTES);
        mqtt.done();
        return new AgentConfig.Mqtt(brokerUris, protocol, keepAlive, connectTimeout, reconnectMin, reconnectMax,
                username, password, maxInflight, tls, persistentSession, sessionExpiry, linkPublishesPerSecond,
                maxIncomingBytes);
    }

    /** {@code brokerUri} (one broker) or {@code brokerUris} (a list), not both. */
    private static List<String> brokers(ConfigSection mqtt) throws ConfigException {
        String single = mqtt.string("brokerUri", "");
        List<String> list = mqtt.stringList("brokerUris");
        if (!single.isEmpty() && !list.isEmpty()) {
            throw new ConfigException("mqtt.brokerUris", "give either mqtt.brokerUri (one broker) or mqtt.brokerUris"
                    + " (a list), not both");
        }
        if (single.isEmpty() && list.isEmpty()) {
            // a misspelt brokerUri ("brokerURL") is what the technician must fix: name it
            throw mqtt.typo("brokerUri").or(() -> mqtt.typo("brokerUris")).orElseGet(() -> new ConfigException(
                    "mqtt.brokerUri", "is missing; give the broker as mqtt.brokerUri, e.g."
                    + " \"ssl://broker.example:8883\", or several as mqtt.brokerUris"));
        }
        if (!single.isEmpty()) {
            validateBrokerUri("mqtt.brokerUri", single);
            return List.of(single);
        }
        if (list.size() > MAX_BROKERS) {
            throw new ConfigException("mqtt.brokerUris", "lists " + list.size() + " brokers; at most " + MAX_BROKERS);
        }
        if (new HashSet<>(list).size() != list.size()) {
            throw new ConfigException("mqtt.brokerUris", list + " names a broker twice");
        }
        for (String uri : list) {
            validateBrokerUri("mqtt.brokerUris", uri);
        }
        return List.copyOf(list);
    }

    /** The mqtt.tls section: files resolved against the config's folder and checked to be readable now. */
    private static Optional<TlsSettings> tls(ConfigSection tls, Path baseDir) throws ConfigException {
        if (!tls.isPresent()) {
            tls.done();
            return Optional.empty();
        }
        Path ca = readable(tls, "caCertificate", baseDir, true).orElseThrow();
        Optional<Path> cert = readable(tls, "clientCertificate", baseDir, false);
        Optional<Path> key = readable(tls, "clientKey", baseDir, false);
        Optional<Path> p12 = readable(tls, "pkcs12", baseDir, false);
        Optional<String> p12Password = Optional.of(tls.string("pkcs12Password", "")).filter(s -> !s.isEmpty());
        boolean hostname = tls.bool("hostnameVerification", true);
        tls.done();
        if (cert.isPresent() != key.isPresent()) {
            throw new ConfigException(cert.isPresent() ? "mqtt.tls.clientKey" : "mqtt.tls.clientCertificate",
                    "is missing; a client certificate and its key go together");
        }
        if (p12.isPresent() && cert.isPresent()) {
            throw new ConfigException("mqtt.tls.pkcs12", "give the unit's identity either as PEM files "
                    + "(clientCertificate, clientKey) or as pkcs12, not both");
        }
        if (p12.isEmpty() && cert.isEmpty()) {
            throw new ConfigException("mqtt.tls.clientCertificate", "is missing; the broker needs the unit's "
                    + "certificate (clientCertificate and clientKey, or pkcs12)");
        }
        return Optional.of(new TlsSettings(ca, cert, key, p12, p12Password, hostname));
    }

    private static Optional<Path> readable(ConfigSection section, String name, Path baseDir, boolean required)
            throws ConfigException {
        String text = section.string(name, required ? null : "");
        if (text.isEmpty()) {
            return Optional.empty();
        }
        Path path = baseDir.resolve(text).normalize();
        if (!Files.isReadable(path)) {
            throw new ConfigException(section.key(name), "file " + path + " does not exist or cannot be read");
        }
        return Optional.of(path);
    }

    private static void validateBrokerUri(String key, String uri) throws ConfigException {
        try {
            URI parsed = new URI(uri);
            boolean hasPath = parsed.getRawPath() != null && !parsed.getRawPath().isEmpty();
            boolean knownScheme = "ssl".equals(parsed.getScheme()) || "tcp".equals(parsed.getScheme());
            if (!knownScheme || parsed.getHost() == null || parsed.getPort() < 1 || hasPath
                    || parsed.getRawQuery() != null || parsed.getRawUserInfo() != null) {
                throw new ConfigException(key, "'" + uri + "' must look like ssl://host:port (or "
                        + "tcp://host:port with mqtt.allowPlainTcp)");
            }
        } catch (URISyntaxException e) {
            throw new ConfigException(key, "'" + uri + "' is not a URI: " + e.getReason());
        }
    }
}
