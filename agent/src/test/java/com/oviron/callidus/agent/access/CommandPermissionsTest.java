package com.oviron.callidus.agent.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.agent.access.CommandPermissions.Need;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CommandPermissionsTest {

    @Test
    void reading_needs_nothing_and_is_not_audited() {
        for (String c : new String[] {"status.get", "diagnostics.get", "report.get", "subscription.get", "commands.list"}) {
            assertEquals(Need.NONE, CommandPermissions.need(c), c);
            assertFalse(CommandPermissions.audited(c), c);
        }
    }

    @Test
    void a_signed_token_needs_no_login_but_is_audited() {
        assertEquals(Need.SIGNED, CommandPermissions.need("subscription.install"));
        assertEquals(Optional.empty(), CommandPermissions.role("subscription.install"));
        assertTrue(CommandPermissions.audited("subscription.install"));
    }

    @Test
    void the_clinic_changes_its_settings_and_logo_everything_else_needs_service() {
        assertEquals(Optional.of(Role.CLINIC), CommandPermissions.role("settings.put"));
        assertEquals(Optional.of(Role.CLINIC), CommandPermissions.role("display.rollback"));
        assertEquals(Optional.of(Role.SERVICE), CommandPermissions.role("update.install"));
        assertEquals(Optional.of(Role.SERVICE), CommandPermissions.role("log.set-level"));
        assertEquals(Optional.of(Role.SERVICE), CommandPermissions.role("a.command.added.later"),
                "a command nobody classified is safe by default");
        assertEquals(Need.CLOUD, CommandPermissions.need("console.open"), "remote support is opened by the cloud");
        assertTrue(CommandPermissions.audited("console.open"));
        assertTrue(Role.SERVICE.covers(Role.CLINIC));
        assertFalse(Role.CLINIC.covers(Role.SERVICE));
    }
}
