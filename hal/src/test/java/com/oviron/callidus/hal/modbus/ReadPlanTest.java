package com.oviron.callidus.hal.modbus;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.oviron.callidus.hal.Channel;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReadPlanTest {
    private static RegisterChannel at(String id, RegisterChannel.RegisterKind kind, int address,
                                      RegisterChannel.DataType type) {
        return new RegisterChannel(new Channel(id, id, "u"), kind, address, type,
                RegisterChannel.WordOrder.HIGH_FIRST, 1, 0, Duration.ofMillis(100), 0, -1e9, 1e9);
    }

    @Test
    void neighbours_within_the_gap_share_one_request() {
        List<ReadPlan.Block> blocks = ReadPlan.of(List.of(
                at("a", RegisterChannel.RegisterKind.INPUT, 0, RegisterChannel.DataType.U16),
                at("c", RegisterChannel.RegisterKind.INPUT, 4, RegisterChannel.DataType.FLOAT32),
                at("b", RegisterChannel.RegisterKind.INPUT, 1, RegisterChannel.DataType.U16),
                at("d", RegisterChannel.RegisterKind.INPUT, 20, RegisterChannel.DataType.U16),
                at("h", RegisterChannel.RegisterKind.HOLDING, 0, RegisterChannel.DataType.U16)), 4);
        assertEquals(3, blocks.size());
        assertEquals(new ReadPlan.Block(RegisterChannel.RegisterKind.HOLDING, 0, 1, blocks.get(0).channels()),
                blocks.get(0));
        ReadPlan.Block first = blocks.get(1);
        assertEquals(0, first.start());
        assertEquals(6, first.count());
        assertEquals(List.of("a", "b", "c"), first.channels().stream().map(c -> c.channel().id()).toList());
        assertEquals(20, blocks.get(2).start());
    }

    @Test
    void a_gap_of_zero_reads_only_adjacent_registers_together() {
        List<ReadPlan.Block> blocks = ReadPlan.of(List.of(
                at("a", RegisterChannel.RegisterKind.INPUT, 0, RegisterChannel.DataType.U16),
                at("b", RegisterChannel.RegisterKind.INPUT, 1, RegisterChannel.DataType.U32),
                at("c", RegisterChannel.RegisterKind.INPUT, 4, RegisterChannel.DataType.U16)), 0);
        assertEquals(2, blocks.size());
        assertEquals(3, blocks.get(0).count());
    }

    @Test
    void never_asks_for_more_than_125_registers_at_once() {
        List<ReadPlan.Block> blocks = ReadPlan.of(List.of(
                at("a", RegisterChannel.RegisterKind.INPUT, 0, RegisterChannel.DataType.U16),
                at("b", RegisterChannel.RegisterKind.INPUT, 124, RegisterChannel.DataType.U16),
                at("c", RegisterChannel.RegisterKind.INPUT, 125, RegisterChannel.DataType.U16)), 200);
        assertEquals(2, blocks.size());
        assertEquals(125, blocks.get(0).count());
        assertEquals(125, blocks.get(1).start());
    }
}
