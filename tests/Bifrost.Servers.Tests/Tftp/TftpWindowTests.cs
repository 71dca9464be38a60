using Bifrost.Protocols.Tftp;
using NUnit.Framework;

namespace Bifrost.Servers.Tests.Tftp;

/// <summary>
/// RFC 7440 windows through the live server's transfer loop (blocking, one thread per transfer): what is re-sent after
/// a partial ACK or a lost one, and that stopping the server does not wait for a transfer's retransmission timeout.
/// </summary>
public class TftpWindowTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Test]
    public async Task A_window_of_16_is_resent_from_the_block_after_the_last_ack_after_a_partial_ack_and_after_a_lost_one()
    {
        await using var tftp = TftpFixture.Start();
        var content = tftp.AddFile("boot.bin", 40 * 512 + 100); // blocks 1..41, the last one 100 bytes
        using var client = new RawTftpClient();
        client.SendRequest(tftp.Endpoint, "boot.bin", ("windowsize", "16"), ("timeout", "1"));
        Assert.That(TftpWire.TryPeekOpcode((await client.ReceiveAsync(Wait))!, out var opcode) && opcode == TftpOpcode.OptionAck);
        client.Ack(0);
        Assert.That(await ReceiveBlockNumbersAsync(client, 16), Is.EqualTo(Blocks(1, 16)), "the first window");

        // Blocks 11-16 were "lost": the client acknowledges 10, the server continues from 11 with a full window.
        client.Ack(10);
        Assert.That(await ReceiveBlockNumbersAsync(client, 16), Is.EqualTo(Blocks(11, 26)), "the window after ACK 10");

        // That ACK is lost entirely: after the 1 s timeout the same window comes again, from 11.
        Assert.That(await ReceiveBlockNumbersAsync(client, 16), Is.EqualTo(Blocks(11, 26)), "the window re-sent after the timeout");

        client.Ack(26);
        var last = await ReceiveBlocksAsync(client, 15);
        Assert.That(last.Select(b => b.Block), Is.EqualTo(Blocks(27, 41)), "the last, short window");
        client.Ack(41);
        Assert.That(await client.ReceiveAsync(TimeSpan.FromSeconds(2)), Is.Null, "nothing after the final ACK");
        await WaitUntil(() => tftp.Server.ActiveTransfers == 0);
        Assert.That(tftp.Logs.AllText, Does.Contain("RRQ boot.bin 20,580 bytes in"));
        Assert.That(last[^1].Payload, Is.EqualTo(content[^100..]));
    }

    [Test]
    public async Task Stopping_the_server_ends_a_transfer_that_waits_for_an_ack_without_waiting_for_its_timeout()
    {
        var tftp = TftpFixture.Start(maxRetries: 1);
        try
        {
            tftp.AddFile("boot.bin", 3000);
            using var client = new RawTftpClient();
            // 255 s: the longest RFC 2349 timeout, so only closing the socket can end the wait.
            client.SendRequest(tftp.Endpoint, "boot.bin", ("timeout", "255"));
            Assert.That(await client.ReceiveAsync(Wait), Is.Not.Null); // OACK, not acknowledged
            Assert.That(tftp.Server.ActiveTransfers, Is.EqualTo(1));
            var stop = tftp.Server.StopAsync();
            // Generous bound against a hang, not a speed check: the alternative is 255 s x 2.
            Assert.That(await Task.WhenAny(stop, Task.Delay(TimeSpan.FromSeconds(60))), Is.SameAs(stop), "StopAsync returned");
            await stop;
            Assert.That(tftp.Server.ActiveTransfers, Is.EqualTo(0));
        }
        finally
        {
            await tftp.DisposeAsync();
        }
    }

    private static IEnumerable<ushort> Blocks(int first, int last) =>
        Enumerable.Range(first, last - first + 1).Select(b => (ushort)b);

    private static async Task<IEnumerable<ushort>> ReceiveBlockNumbersAsync(RawTftpClient client, int count) =>
        (await ReceiveBlocksAsync(client, count)).Select(b => b.Block);

    private static async Task<List<(ushort Block, byte[] Payload)>> ReceiveBlocksAsync(RawTftpClient client, int count)
    {
        var blocks = new List<(ushort, byte[])>();
        while (blocks.Count < count)
        {
            var packet = await client.ReceiveAsync(Wait) ?? throw new TimeoutException($"got {blocks.Count} of {count} blocks");
            Assert.That(TftpData.TryRead(packet, out var block, out var payload, out var error), Is.True, error);
            blocks.Add((block, payload.ToArray()));
        }
        return blocks;
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail("condition not met within 15 s");
            await Task.Delay(50);
        }
    }
}
