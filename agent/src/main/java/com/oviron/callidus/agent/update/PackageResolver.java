package com.oviron.callidus.agent.update;

import com.oviron.callidus.cloud.command.CommandException;
import java.nio.file.Path;

/**
 * Finds the downloaded package file that {@code update.install} names (by the file transfer's id); the
 * file-transfer engine owns the downloads.
 */
@FunctionalInterface
public interface PackageResolver {
    /**
     * @throws CommandException {@code invalid_argument} when no completed download has this id
     */
    Path resolve(String transferId) throws CommandException;
}
