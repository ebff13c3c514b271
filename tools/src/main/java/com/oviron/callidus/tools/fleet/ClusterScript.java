package com.oviron.callidus.tools.fleet;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where tools/rabbitmq-cluster is: next to the tools jar's folder, or under the working folder. */
final class ClusterScript {
    private ClusterScript() {
    }

    static Path path() {
        String explicit = System.getProperty("callidus.cluster.script", "");
        if (!explicit.isEmpty()) {
            return Path.of(explicit);
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("tools/rabbitmq-cluster");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        try {
            Path jar = Path.of(ClusterScript.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Path p = jar.getParent(); p != null; p = p.getParent()) {
                Path candidate = p.resolve("tools/rabbitmq-cluster");
                if (Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        } catch (java.net.URISyntaxException | RuntimeException e) {
            // fall through
        }
        return Path.of("tools/rabbitmq-cluster");
    }
}
