package com.oviron.callidus.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;

/**
 * The shaded jar carries native libraries only for the controllers (Linux on x86-64, aarch64 and armv7),
 * not every platform's: the list of its entries says so.
 */
class JarContentsIT {
    private static final Path JAR = Path.of("target", "callidus-agent.jar");

    private static List<String> nativeLibraries() throws Exception {
        assertTrue(Files.exists(JAR), "run after package: " + JAR.toAbsolutePath());
        try (JarFile jar = new JarFile(JAR.toFile())) {
            return Collections.list(jar.entries()).stream().map(ZipEntry::getName)
                    .filter(n -> n.endsWith(".so") || n.endsWith(".dll") || n.endsWith(".dylib")
                            || n.endsWith(".jnilib") || n.endsWith(".a"))
                    .sorted().toList();
        }
    }

    @Test
    void sqlite_jdbc_brings_only_linux_x86_64_aarch64_and_armv7() throws Exception {
        assertEquals(List.of(
                "org/sqlite/native/Linux/aarch64/libsqlitejdbc.so",
                "org/sqlite/native/Linux/armv7/libsqlitejdbc.so",
                "org/sqlite/native/Linux/x86_64/libsqlitejdbc.so"),
                nativeLibraries().stream().filter(n -> n.startsWith("org/sqlite/")).toList());
    }

    @Test
    void every_native_library_is_for_linux_on_the_controllers_architectures() throws Exception {
        List<String> natives = nativeLibraries();
        assertEquals(List.of(
                // junixsocket: the systemd notify socket
                "lib/aarch64-Linux-clang/jni/libjunixsocket-native-2.11.1.nodeps.so",
                "lib/aarch64-Linux-clang/jni/libjunixsocket-native-2.11.1.so",
                // Pi4J's gpiod plugin (it ships no x86-64 build: GPIO is for the controller)
                "lib/aarch64/pi4j-gpiod/libgpiod.so",
                "lib/aarch64/pi4j-gpiod/libpi4j-gpiod.so",
                "lib/amd64-Linux-clang/jni/libjunixsocket-native-2.11.1.nodeps.so",
                "lib/amd64-Linux-clang/jni/libjunixsocket-native-2.11.1.so",
                "lib/arm-Linux-clang/jni/libjunixsocket-native-2.11.1.nodeps.so",
                "lib/arm-Linux-clang/jni/libjunixsocket-native-2.11.1.so",
                "lib/armhf/pi4j-gpiod/libgpiod.so",
                "lib/armhf/pi4j-gpiod/libpi4j-gpiod.so",
                // jssc: the board's serial line
                "natives/linux_64/libjssc.so",
                "natives/linux_arm/libjssc.so",
                "natives/linux_arm64/libjssc.so",
                "org/sqlite/native/Linux/aarch64/libsqlitejdbc.so",
                "org/sqlite/native/Linux/armv7/libsqlitejdbc.so",
                "org/sqlite/native/Linux/x86_64/libsqlitejdbc.so"), natives);
    }

    @Test
    void the_jar_stays_small_for_the_controller_and_its_update_slots() throws Exception {
        long bytes = Files.size(JAR);
        // every platform's natives made it 15 MB; with three Linux targets it is about 7 MB
        assertTrue(bytes < 10L * 1024 * 1024, "callidus-agent.jar is " + bytes + " bytes");
    }
}
