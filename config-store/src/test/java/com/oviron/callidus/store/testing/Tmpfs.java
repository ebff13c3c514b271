package com.oviron.callidus.store.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A small real file system for tests of a full disk: a tmpfs of a given size mounted by the test (root is
 * needed, as in CI). A mount that fails fails the test with the reason; it is never skipped. Unmount it in
 * {@code @AfterEach} ({@link #close()}), also when the test failed.
 */
public final class Tmpfs implements AutoCloseable {
    private final Path dir;
    private final long bytes;
    private boolean mounted;

    private Tmpfs(Path dir, long bytes) {
        this.dir = dir;
        this.bytes = bytes;
    }

    /** Mounts a tmpfs of {@code bytes} (a multiple of the page size) on {@code dir}, which is created. */
    public static Tmpfs mount(Path dir, long bytes) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Tmpfs fs = new Tmpfs(dir.toAbsolutePath(), bytes);
        String out = run(List.of("mount", "-t", "tmpfs", "-o", "size=" + bytes + ",mode=0755", "tmpfs",
                fs.dir.toString()));
        if (out != null) {
            throw new AssertionError("cannot mount a tmpfs of " + bytes + " bytes on " + fs.dir
                    + " (the full-disk tests need root, as in CI: run them as root): " + out);
        }
        fs.mounted = true;
        FileStore store = Files.getFileStore(fs.dir);
        if (!"tmpfs".equals(store.type()) || store.getTotalSpace() != bytes) {
            fs.close();
            throw new AssertionError("mounted " + fs.dir + " but it is " + store.type() + " of "
                    + store.getTotalSpace() + " bytes, not a tmpfs of " + bytes);
        }
        return fs;
    }

    public Path path() {
        return dir;
    }

    public long totalBytes() {
        return bytes;
    }

    public long freeBytes() throws IOException {
        return Files.getFileStore(dir).getUsableSpace();
    }

    /**
     * Another writer takes the disk: appends to {@code name} until at most {@code leaveBytes} are free (or the disk
     * is full); returns the file's size.
     */
    public long fill(String name, long leaveBytes) throws IOException {
        Path file = dir.resolve(name);
        byte[] block = new byte[4096];
        long written = 0;
        try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            while (freeBytes() > leaveBytes) {
                out.write(block);
                out.flush();
                written += block.length;
            }
        } catch (IOException e) {
            if (!String.valueOf(e.getMessage()).contains("No space left")) {
                throw e;
            }
        }
        return Files.size(file);
    }

    /** Unmounts (lazily if something still holds a file open); safe to call twice. */
    @Override
    public void close() throws IOException, InterruptedException {
        if (!mounted) {
            return;
        }
        String out = run(List.of("umount", dir.toString()));
        if (out != null) {
            String lazy = run(List.of("umount", "-l", dir.toString()));
            if (lazy != null) {
                throw new AssertionError("cannot unmount " + dir + ": " + out + "; lazily: " + lazy);
            }
        }
        mounted = false;
    }

    /** Runs a command; null when it exited 0, else its exit code and output. */
    private static String run(List<String> command) throws InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            return "cannot run " + String.join(" ", command) + ": " + e.getMessage();
        }
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return String.join(" ", command) + " did not finish within 60 s";
        }
        String output;
        try {
            output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            output = "(output unreadable: " + e.getMessage() + ")";
        }
        return p.exitValue() == 0 ? null : String.join(" ", command) + " exited " + p.exitValue() + ": " + output;
    }
}
