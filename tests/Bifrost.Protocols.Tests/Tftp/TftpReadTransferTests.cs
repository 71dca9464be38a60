using Bifrost.Protocols.Tftp;
using NUnit.Framework;

namespace Bifrost.Protocols.Tests.Tftp;

/// <summary>
/// The read transfer as a table: a script of events, each with the action it must return. Actions are written
/// <c>data 1-4</c> (send logical blocks 1 to 4), <c>oack</c>, <c>wait</c>, <c>done</c>, <c>aborted</c>,
/// <c>client error</c>, <c>timed out</c>.
/// </summary>
public class TftpReadTransferTests
{
    private static TftpTransferOptions Plain(int blksize = 512, int window = 1) => new(blksize, window, TimeSpan.FromSeconds(1), []);

    private static TftpTransferOptions WithOack(int window = 1) =>
        new(512, window, TimeSpan.FromSeconds(1), [new("tsize", "1000")]);

    private static IEnumerable<TestCaseData> Scripts()
    {
        TestCaseData Case(long length, TftpTransferOptions options, string script, string rule, int retries = 5) =>
            new TestCaseData(length, options, retries, script).SetName(rule);

        yield return Case(1000, Plain(), "start: data 1-1 | ack 1: data 2-2 | ack 2: done",
            "lock-step: each ACK brings the next block, the short block ends it");
        yield return Case(1024, Plain(), "start: data 1-1 | ack 1: data 2-2 | ack 2: data 3-3 | ack 3: done",
            "a file of whole blocks ends with an empty block");
        yield return Case(0, Plain(), "start: data 1-1 | ack 1: done", "an empty file is one empty block");
        yield return Case(5120, Plain(window: 4), "start: data 1-4 | ack 4: data 5-8 | ack 8: data 9-11 | ack 11: done",
            "window 4: a full window per ACK, the last one short");
        yield return Case(5120, Plain(window: 4), "start: data 1-4 | ack 2: data 3-6 | ack 6: data 7-10",
            "window: a partial ACK restarts the window after the acknowledged block");
        yield return Case(5120, Plain(), "start: data 1-1 | ack 1: data 2-2 | ack 1: wait | ack 2: data 3-3",
            "a duplicate ACK is ignored (no Sorcerer's Apprentice)");
        yield return Case(5120, Plain(window: 4), "start: data 1-4 | ack 4: data 5-8 | ack 2: wait | ack 4: wait | ack 8: data 9-11",
            "an ACK older than the last one is ignored");
        yield return Case(5120, Plain(window: 4), "start: data 1-4 | ack 9: wait | ack 4: data 5-8",
            "an ACK for a block not sent yet is ignored");
        yield return Case(5120, Plain(window: 4), "start: data 1-4 | timeout: data 1-4 | ack 4: data 5-8",
            "a lost ACK: the timeout resends the window");
        yield return Case(5120, Plain(window: 4), "start: data 1-4 | ack 4: data 5-8 | timeout: data 5-8",
            "a timeout resends from the block after the last ACK");
        yield return Case(5120, Plain(), "start: data 1-1 | timeout: data 1-1 | timeout: data 1-1 | timeout: timed out",
            "more timeouts than the retry cap end the transfer", retries: 2);
        yield return Case(5120, Plain(), "start: data 1-1 | timeout: data 1-1 | ack 1: data 2-2 | timeout: data 2-2 | timeout: timed out",
            "progress resets the retry count", retries: 1);
        yield return Case(1000, WithOack(), "start: oack | ack 1: wait | ack 0: data 1-1 | ack 1: data 2-2 | ack 2: done",
            "options: OACK first, ACK 0 starts the data (RFC 2347)");
        yield return Case(1000, WithOack(), "start: oack | timeout: oack | ack 0: data 1-1",
            "a lost ACK 0: the OACK is resent");
        yield return Case(1000, WithOack(), "start: oack | timeout: oack | timeout: timed out",
            "the retry cap applies to the OACK too", retries: 1);
        yield return Case(1000, WithOack(window: 4), "start: oack | error 8: aborted | ack 0: wait | timeout: wait",
            "ERROR 8 after the OACK is UEFI's size probe: a quiet end");
        yield return Case(1000, WithOack(), "start: oack | ack 0: data 1-1 | error 8: client error",
            "ERROR 8 once data flows is a client error");
        yield return Case(1000, Plain(), "start: data 1-1 | error 0: client error | ack 1: wait",
            "any client ERROR ends the transfer");
        yield return Case(1000, Plain(), "start: data 1-1 | ack 1: data 2-2 | ack 2: done | ack 2: wait | timeout: wait",
            "nothing is sent after the last ACK");
    }

    [TestCaseSource(nameof(Scripts))]
    public void Transfer_script(long length, TftpTransferOptions options, int retries, string script)
    {
        var transfer = new TftpReadTransfer(length, options, retries);
        foreach (var step in script.Split('|', StringSplitOptions.TrimEntries))
        {
            var (evt, expected) = (step[..step.IndexOf(':')].Trim(), step[(step.IndexOf(':') + 1)..].Trim());
            var action = evt switch
            {
                "start" => transfer.Start(),
                "timeout" => transfer.OnTimeout(),
                _ when evt.StartsWith("ack ") => transfer.OnAck(ushort.Parse(evt[4..])),
                _ when evt.StartsWith("error ") => transfer.OnError((TftpErrorCode)ushort.Parse(evt[6..]), ""),
                _ => throw new ArgumentException(evt),
            };
            Assert.That(Render(action), Is.EqualTo(expected), $"after '{evt}' in: {script}");
        }
    }

    private static string Render(TftpAction a) => a.Kind switch
    {
        TftpActionKind.SendData => $"data {a.FirstBlock}-{a.FirstBlock + a.Count - 1}",
        TftpActionKind.SendOptionAck => "oack",
        TftpActionKind.Wait => "wait",
        TftpActionKind.Done => "done",
        TftpActionKind.ClientAborted => "aborted",
        TftpActionKind.ClientError => "client error",
        TftpActionKind.TimedOut => "timed out",
        _ => a.Kind.ToString(),
    };

    [Test]
    public void Retry_cap_names_the_block_it_waited_for()
    {
        var transfer = new TftpReadTransfer(5000, Plain(), 1);
        transfer.Start();
        transfer.OnAck(1);
        transfer.OnTimeout();
        Assert.That(transfer.OnTimeout().Reason, Is.EqualTo("no ACK for block 2 after 1 retransmissions"));
    }

    [TestCase(1, TestName = "rollover 65535 → 0 in lock-step (a 35 MB file at 512-byte blocks)")]
    [TestCase(16, TestName = "rollover 65535 → 0 inside a window of 16")]
    public void Block_numbers_roll_over_and_the_transfer_completes(int window)
    {
        const long blocks = 70_000;
        var transfer = new TftpReadTransfer(blocks * 512 + 100, Plain(window: window), 5);
        var action = transfer.Start();
        var wireSeen = new List<ushort>();
        long expectedFirst = 1;
        while (action.Kind == TftpActionKind.SendData)
        {
            Assert.That(action.FirstBlock, Is.EqualTo(expectedFirst));
            var last = action.FirstBlock + action.Count - 1;
            for (var b = action.FirstBlock; b <= last; b++)
                if (b is >= 65534 and <= 65538) wireSeen.Add(TftpReadTransfer.WireBlock(b));
            expectedFirst = last + 1;
            action = transfer.OnAck(TftpReadTransfer.WireBlock(last));
        }
        Assert.That(action.Kind, Is.EqualTo(TftpActionKind.Done));
        Assert.That(transfer.AckedBlock, Is.EqualTo(blocks + 1));
        Assert.That(wireSeen, Is.EqualTo(new ushort[] { 65534, 65535, 0, 1, 2 }));
    }

    [Test]
    public void After_rollover_an_ack_from_the_previous_cycle_is_ignored()
    {
        var transfer = new TftpReadTransfer(70_000L * 512, Plain(window: 4), 5);
        var action = transfer.Start();
        while (action.FirstBlock < 65_540)
            action = transfer.OnAck(TftpReadTransfer.WireBlock(action.FirstBlock + action.Count - 1));
        var acked = transfer.AckedBlock;
        Assert.That(transfer.OnAck(65_530).Kind, Is.EqualTo(TftpActionKind.Wait), "wire 65530 now means an old block");
        Assert.That(transfer.AckedBlock, Is.EqualTo(acked));
    }

    [Test]
    public void Payload_lengths_and_offsets_follow_the_block_size()
    {
        var transfer = new TftpReadTransfer(1000, Plain(blksize: 512), 5);
        Assert.That((transfer.Offset(2), transfer.PayloadLength(1), transfer.PayloadLength(2), transfer.LastBlock),
            Is.EqualTo((512L, 512, 488, 2L)));
    }
}
