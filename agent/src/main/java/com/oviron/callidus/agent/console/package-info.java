/**
 * The field technician's local serial console (product brief; issue 6: tokens pasted offline, renewal
 * reminders shown). {@link com.oviron.callidus.agent.console.FieldConsole} reads lines from a
 * {@link com.oviron.callidus.agent.console.ConsoleTransport} (in the unit
 * {@link com.oviron.callidus.agent.console.SerialConsoleTransport}, configured by
 * {@link com.oviron.callidus.agent.console.ConsoleSettings}) and runs the unit's commands through the command
 * channel's local entry; {@link com.oviron.callidus.agent.console.SubscriptionNotices} words the subscription
 * reminders it prints. Thread: "console". Words, outputs and wiring: docs/console.md.
 */
package com.oviron.callidus.agent.console;
