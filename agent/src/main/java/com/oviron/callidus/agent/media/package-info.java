/**
 * What happens on the unit to images that arrive whole and verified, or that the unit captures (issue 5).
 *
 * <ul>
 *   <li>Logo and screen saver: {@link com.oviron.callidus.agent.media.DisplayImageInstaller} checks them against
 *       the {@link com.oviron.callidus.agent.media.DisplaySpec} and installs them atomically, keeping the
 *       previous one; {@link com.oviron.callidus.agent.media.DisplayCommands} offers {@code display.get} and
 *       {@code display.rollback}.</li>
 *   <li>X-ray images (health data): {@link com.oviron.callidus.agent.media.XrayVault} keeps them encrypted at
 *       rest, delivers them to the viewer folder, and deletes them after the retention;
 *       {@link com.oviron.callidus.agent.media.XrayReceiver} takes them from the cloud,
 *       {@link com.oviron.callidus.agent.media.XrayCaptureFolder} from the sensor's capture folder.</li>
 * </ul>
 *
 * <p>Threads: only {@code XrayCaptureFolder} has one ("xray-intake"). The others run on their caller's thread
 * (the file transfer's, the "commands" thread) and are thread-safe. Protocol: docs/protocol.md; file formats:
 * docs/media.md; settings: docs/configuration.md.
 */
package com.oviron.callidus.agent.media;
