package com.oviron.callidus.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PackageDispatchTest {
    @Test
    void tools_main_lists_and_dispatches_the_package_command() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        assertEquals(0, ToolsMain.run(new String[] {"help"}, print, print));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("  package "));
        out.reset();
        assertEquals(0, ToolsMain.run(new String[] {"package", "--help"}, print, print));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("package build --key"));
    }
}
