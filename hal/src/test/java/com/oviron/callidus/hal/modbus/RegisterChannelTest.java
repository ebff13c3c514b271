package com.oviron.callidus.hal.modbus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.oviron.callidus.hal.Channel;
import java.time.Duration;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class RegisterChannelTest {
    private static RegisterChannel channel(RegisterChannel.DataType type, RegisterChannel.WordOrder order,
                                           double scale, double offset) {
        return new RegisterChannel(new Channel("x", "X", "u"), RegisterChannel.RegisterKind.INPUT, 0, type, order,
                scale, offset, Duration.ofMillis(100), 0, -1e9, 1e9);
    }

    @Test
    void decodes_each_type_and_word_order() {
        RegisterChannel u16 = channel(RegisterChannel.DataType.U16, RegisterChannel.WordOrder.HIGH_FIRST, 0.001, 0);
        assertEquals(24.123, u16.decode(new int[] {24_123}, 0), 1e-9);
        RegisterChannel i16 = channel(RegisterChannel.DataType.I16, RegisterChannel.WordOrder.HIGH_FIRST, 0.01, 0);
        assertEquals(-18.5, i16.decode(new int[] {0xF8C6}, 0), 1e-9);
        RegisterChannel u32 = channel(RegisterChannel.DataType.U32, RegisterChannel.WordOrder.HIGH_FIRST, 1, 0);
        assertEquals(0x0001_0002L, (long) u32.decode(new int[] {0x0001, 0x0002}, 0));
        RegisterChannel u32low = channel(RegisterChannel.DataType.U32, RegisterChannel.WordOrder.LOW_FIRST, 1, 0);
        assertEquals(0x0002_0001L, (long) u32low.decode(new int[] {0x0001, 0x0002}, 0));
        RegisterChannel i32 = channel(RegisterChannel.DataType.I32, RegisterChannel.WordOrder.HIGH_FIRST, 1, 0);
        assertEquals(-2, i32.decode(new int[] {0xFFFF, 0xFFFE}, 0));
        RegisterChannel f32 = channel(RegisterChannel.DataType.FLOAT32, RegisterChannel.WordOrder.HIGH_FIRST, 1, 0);
        // 5.5f = 0x40B00000
        assertEquals(5.5, f32.decode(new int[] {0x40B0, 0x0000}, 0));
        RegisterChannel offset = channel(RegisterChannel.DataType.U16, RegisterChannel.WordOrder.HIGH_FIRST, 0.1, -40);
        assertEquals(-3.0, offset.decode(new int[] {370}, 0), 1e-9);
    }

    @Test
    void encoding_clamps_to_what_the_type_can_hold() {
        RegisterChannel u16 = channel(RegisterChannel.DataType.U16, RegisterChannel.WordOrder.HIGH_FIRST, 1, 0);
        assertArrayEquals(new int[] {0xFFFF}, u16.encode(1e9));
        assertArrayEquals(new int[] {0}, u16.encode(-5));
    }

    @Property(tries = 500)
    void every_raw_value_survives_encode_after_decode(@ForAll @IntRange(min = 0, max = 0xFFFF) int high,
                                                      @ForAll @IntRange(min = 0, max = 0xFFFF) int low) {
        for (RegisterChannel.DataType type : new RegisterChannel.DataType[] {
            RegisterChannel.DataType.U32, RegisterChannel.DataType.I32}) {
            for (RegisterChannel.WordOrder order : RegisterChannel.WordOrder.values()) {
                RegisterChannel c = channel(type, order, 1, 0);
                int[] words = {high, low};
                assertArrayEquals(words, c.encode(c.decode(words, 0)), type + " " + order);
            }
        }
        RegisterChannel i16 = channel(RegisterChannel.DataType.I16, RegisterChannel.WordOrder.HIGH_FIRST, 1, 0);
        assertArrayEquals(new int[] {high}, i16.encode(i16.decode(new int[] {high}, 0)));
    }
}
