package com.oviron.callidus.agent.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LockoutTest {

    @Test
    void three_wrong_pins_lock_and_each_further_one_doubles_up_to_the_longest() {
        Lockout l = new Lockout(Duration.ofSeconds(30), Duration.ofMinutes(5));
        assertEquals(Duration.ZERO, l.after(1));
        assertEquals(Duration.ZERO, l.after(2));
        assertEquals(Duration.ofSeconds(30), l.after(3));
        assertEquals(Duration.ofSeconds(60), l.after(4));
        assertEquals(Duration.ofSeconds(120), l.after(5));
        assertEquals(Duration.ofSeconds(240), l.after(6));
        assertEquals(Duration.ofMinutes(5), l.after(7));
        assertEquals(Duration.ofMinutes(5), l.after(1000), "no overflow");
    }

    @Test
    void refuses_a_first_lock_longer_than_the_longest() {
        assertThrows(IllegalArgumentException.class, () -> new Lockout(Duration.ofMinutes(2), Duration.ofMinutes(1)));
        assertThrows(IllegalArgumentException.class, () -> new Lockout(Duration.ZERO, Duration.ofMinutes(1)));
    }
}
