package com.oviron.callidus.cloud.command;

import com.google.gson.JsonObject;

/** Told what became of a command from the cloud (see {@link CommandChannel#setObserver}). */
@FunctionalInterface
public interface CommandObserver {

    /**
     * @param command the command as it arrived
     * @param reply   its reply, as published ({@code ok}, {@code result} or {@code error})
     */
    void completed(Command command, JsonObject reply);
}
