package com.oviron.callidus.agent.access;

import java.util.Optional;
import java.util.Set;

/**
 * Who may run which of the unit's commands at a console (docs/console.md, "Access"). Commands are classified
 * by name; a command named nowhere here needs the {@link Role#SERVICE} role, so that a command added later is
 * safe before anyone thinks about it. The cloud's commands are not judged here (the cloud is authenticated by
 * its certificate and the broker); they are audited when they are not {@link Need#NONE read-only}.
 */
public final class CommandPermissions {
    /** What running a command at the console needs. */
    public enum Need {
        /** Reads only: no login, not audited. */
        NONE,
        /** Carries its own authority, a signature by Oviron (a subscription token): no login, audited. */
        SIGNED,
        /** A logged-in clinic or service user; audited. */
        CLINIC,
        /** A logged-in service technician; audited. */
        SERVICE,
        /** A command of the cloud only (opening a remote console): never from a console; audited. */
        CLOUD
    }

    /** Commands that change nothing on the unit. */
    static final Set<String> READ_ONLY = Set.of("commands.list", "status.get", "diagnostics.get", "report.get",
            "subscription.get", "settings.get", "display.get", "file.list", "update.status", "alarms.get",
            "alarms.list", "selftest.get", "selftest.key", "catalog.get", "clock.challenge");
    /** Commands whose argument is signed by Oviron: the signature is the authority, not the person typing. */
    static final Set<String> SIGNED = Set.of("subscription.install", "clock.set");
    /** What the clinic's own staff may change: their settings and logo, and send a support bundle. */
    static final Set<String> CLINIC = Set.of("settings.put", "settings.defaults", "settings.restore",
            "settings.backup", "display.rollback", "support.bundle", "alarms.ack", "selftest");
    /** Commands that only make sense from the cloud: remote support is opened by Oviron, not at the unit. */
    static final Set<String> CLOUD_ONLY = Set.of("console.open", "console.close");

    private CommandPermissions() {
    }

    /** What running {@code command} at the console needs. */
    public static Need need(String command) {
        if (READ_ONLY.contains(command)) {
            return Need.NONE;
        }
        if (SIGNED.contains(command)) {
            return Need.SIGNED;
        }
        if (CLOUD_ONLY.contains(command)) {
            return Need.CLOUD;
        }
        return CLINIC.contains(command) ? Need.CLINIC : Need.SERVICE;
    }

    /** The role a command needs, or empty when it needs no login. */
    public static Optional<Role> role(String command) {
        return switch (need(command)) {
            case NONE, SIGNED -> Optional.empty();
            case CLINIC -> Optional.of(Role.CLINIC);
            case SERVICE, CLOUD -> Optional.of(Role.SERVICE);
        };
    }

    /** Whether a command changes the unit and so goes into the audit trail, from the console or the cloud. */
    public static boolean audited(String command) {
        return need(command) != Need.NONE;
    }
}
