using System.Net;
using Bifrost.Domain.Nodes;
using Bifrost.Domain.Timeline;
using Bifrost.Protocols.Tftp;
using Bifrost.TestKit;
using Microsoft.Extensions.Logging.Abstractions;
using NUnit.Framework;

namespace Bifrost.Servers.Tests.Tftp;

/// <summary>What real clients cannot produce on demand, injected with our raw client against the live server.</summary>
public class TftpServerFaultTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Test]
    public async Task Uefi_size_probe_then_the_real_download_is_served_and_the_abort_is_not_an_error()
    {
        await using var tftp = TftpFixture.Start();
        var content = tftp.AddFile("ipxe.efi", 1_012_736);
        using (var probe = new RawTftpClient())
        {
            // OVMF's first request (LAB.md), then ERROR 8 once it has the size.
            probe.SendRequest(tftp.Endpoint, "ipxe.efi", ("tsize", "0"), ("blksize", "1468"), ("windowsize", "4"));
            var oack = await probe.ReceiveAsync(Wait);
            Assert.That(TftpOptionAck.TryRead(oack, out var ack, out _), Is.True, "an OACK answers the probe");
            Assert.That(ack.Options, Does.Contain(new KeyValuePair<string, string>("tsize", "1012736")));
            probe.Error(TftpErrorCode.OptionsRefused, "");
            Assert.That(await probe.ReceiveAsync(TimeSpan.FromSeconds(2.5)), Is.Null, "nothing more after the abort (no retransmitted OACK)");
        }
        using var download = new RawTftpClient();
        download.SendRequest(tftp.Endpoint, "ipxe.efi", ("blksize", "1468"), ("windowsize", "4"));
        Assert.That(await download.DownloadAsync(1468, 4), Is.EqualTo(content));
        await WaitUntil(() => tftp.Server.ActiveTransfers == 0);
        Assert.That(tftp.Logs.Lines.Where(l => l.StartsWith("Warning") || l.StartsWith("Error")), Is.Empty);
        Assert.That(tftp.Logs.Lines, Has.Some.Matches<string>(l => l.StartsWith("Debug") && l.Contains("size probe")));
    }

    [Test]
    public async Task A_lost_ack_is_answered_by_retransmitting_the_block()
    {
        await using var tftp = TftpFixture.Start();
        var content = tftp.AddFile("boot.bin", 3000);
        using var client = new RawTftpClient();
        client.SendRequest(tftp.Endpoint, "boot.bin", ("timeout", "1"));
        Assert.That(await client.ReceiveAsync(Wait), Is.Not.Null); // OACK
        client.Ack(0);
        var first = await client.ReceiveAsync(Wait);
        // No ACK for block 1: after the 1 s timeout the same block comes again.
        var again = await client.ReceiveAsync(Wait);
        Assert.That(again, Is.EqualTo(first));
        Assert.That(await client.DownloadAsync(pending: again), Is.EqualTo(content));
    }

    [Test]
    public async Task Without_acks_the_transfer_ends_after_the_retry_cap()
    {
        await using var tftp = TftpFixture.Start(maxRetries: 2);
        tftp.AddFile("boot.bin", 3000);
        using var client = new RawTftpClient();
        client.SendRequest(tftp.Endpoint, "boot.bin");
        var copies = 0;
        while (await client.ReceiveAsync(TimeSpan.FromSeconds(4)) is not null) copies++;
        Assert.That(copies, Is.EqualTo(3), "the first DATA 1 and 2 retransmissions");
        await WaitUntil(() => tftp.Server.ActiveTransfers == 0);
        Assert.That(tftp.Logs.AllText, Does.Contain("no ACK for block 1 after 2 retransmissions"));
    }

    [Test]
    public async Task Duplicate_acks_do_not_duplicate_data()
    {
        await using var tftp = TftpFixture.Start();
        tftp.AddFile("boot.bin", 20 * 512 + 10);
        using var client = new RawTftpClient();
        client.SendRequest(tftp.Endpoint, "boot.bin", ("timeout", "30"));
        await client.ReceiveAsync(Wait);
        client.Ack(0);
        var blocks = new List<ushort>();
        while (await client.ReceiveAsync(TimeSpan.FromSeconds(1)) is { } packet)
        {
            TftpData.TryRead(packet, out var block, out var payload, out _);
            blocks.Add(block);
            client.Ack(block);
            client.Ack(block); // the Sorcerer's Apprentice trigger
            if (payload.Length < 512) break;
        }
        Assert.That(blocks, Is.EqualTo(Enumerable.Range(1, 21).Select(b => (ushort)b)));
        Assert.That(await client.ReceiveAsync(TimeSpan.FromSeconds(1)), Is.Null, "no extra DATA after the duplicates");
    }

    [Test]
    public async Task Garbage_on_the_live_sockets_then_a_valid_request_still_gets_data()
    {
        await using var tftp = TftpFixture.Start();
        var content = tftp.AddFile("boot.bin", 200_000);
        var random = new Random(69);
        using var noise = new RawTftpClient();
        for (var i = 0; i < 2000; i++)
        {
            var bytes = new byte[random.Next(0, 600)];
            random.NextBytes(bytes);
            if (bytes.Length >= 2 && i % 2 == 0) (bytes[0], bytes[1]) = (0, (byte)random.Next(0, 8));
            noise.Send(tftp.Endpoint, bytes);
        }
        // And garbage into a running transfer's port, between its blocks.
        using var client = new RawTftpClient();
        // The burst may overflow the socket's receive buffer on a busy machine; a real client resends its RRQ.
        var first = await client.RequestAsync(tftp.Endpoint, "boot.bin");
        Assert.That(first, Is.Not.Null, "the server still answers after the garbage");
        for (var i = 0; i < 200; i++) noise.Send(client.Peer!, [0, (byte)random.Next(0, 9), (byte)random.Next(256)]);
        Assert.That(await client.DownloadAsync(pending: first), Is.EqualTo(content));
    }

    [Test]
    public async Task A_file_that_shrinks_during_the_transfer_ends_it_with_an_error_to_the_client()
    {
        await using var tftp = TftpFixture.Start();
        tftp.AddFile("boot.bin", 1024 * 1024);
        using var client = new RawTftpClient();
        client.SendRequest(tftp.Endpoint, "boot.bin");
        var first = await client.ReceiveAsync(Wait);
        File.WriteAllBytes(Path.Combine(tftp.Root, "boot.bin"), new byte[10]);
        var ex = Assert.ThrowsAsync<InvalidOperationException>(() => client.DownloadAsync(pending: first));
        Assert.That(ex!.Message, Is.EqualTo("TFTP error 0: cannot read the file"));
        await WaitUntil(() => tftp.Server.ActiveTransfers == 0);
        Assert.That(tftp.Logs.AllText, Does.Contain("shrank"));
    }

    [TestCase(1, TestName = "Two_hundred_transfers_run_at_once on one event loop")]
    [TestCase(3, TestName = "Two_hundred_transfers_run_at_once spread over three event loops")]
    [Category("EndToEnd")]
    public async Task Two_hundred_transfers_run_at_once(int loops)
    {
        await using var tftp = TftpFixture.Start(transferThreads: loops);
        var content = tftp.AddFile("ipxe.efi", 256 * 1024 + 5);
        var clients = Enumerable.Range(0, 200).Select(_ => new RawTftpClient()).ToList();
        try
        {
            // Every client holds its first block before any ACK: 200 transfers are open at the same moment.
            foreach (var c in clients) c.SendRequest(tftp.Endpoint, "ipxe.efi", ("blksize", "1468"), ("timeout", "10"));
            var oacks = await Task.WhenAll(clients.Select(c => c.ReceiveAsync(Wait)));
            Assert.That(oacks, Has.All.Not.Null);
            Assert.That(tftp.Server.ActiveTransfers, Is.EqualTo(200));
            var results = await Task.WhenAll(clients.Select((c, i) => Task.Run(() => c.DownloadAsync(1468, pending: oacks[i]))));
            Assert.That(results, Has.All.EqualTo(content));
        }
        finally
        {
            foreach (var c in clients) c.Dispose();
        }
    }

    [Test]
    public async Task A_client_that_closes_its_port_ends_its_transfer_on_the_icmp_error_not_after_the_retries()
    {
        await using var tftp = TftpFixture.Start(maxRetries: 50);
        tftp.AddFile("boot.bin", 3000);
        var client = new RawTftpClient();
        client.SendRequest(tftp.Endpoint, "boot.bin", ("timeout", "1"));
        Assert.That(await client.ReceiveAsync(Wait), Is.Not.Null); // the OACK
        client.Dispose(); // its port is closed: the retransmitted OACK gets ICMP port unreachable

        // 50 retries of 1 s would take 50 s; the ICMP error ends it at the first retransmission.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (tftp.Server.ActiveTransfers > 0 && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.That(tftp.Server.ActiveTransfers, Is.Zero, tftp.Logs.AllText);
        Assert.That(tftp.Logs.AllText, Does.Contain("RRQ boot.bin failed after 0 of 3,000 bytes").And.Contain("the client's port is closed"));
    }

    [Test]
    public async Task A_transfer_is_recorded_in_the_node_timeline_with_file_bytes_and_duration()
    {
        await using var store = await TestStore.CreateAsync();
        var node = NodeBuilder.Fake("tftp-node");
        await store.Store.CreateNodeAsync(node);
        await store.Store.CreatePortAsync(NodeBuilder.Port(node, "52:54:00:12:34:56"));
        var timeline = new BootTimeline(store.Store, TimeProvider.System, NullLogger<BootTimeline>.Instance)
        {
            AddressBook = new LoopbackIs("52:54:00:12:34:56"),
        };
        using var cts = new CancellationTokenSource();
        var writer = timeline.RunAsync(cts.Token);
        await using (var tftp = TftpFixture.Start(timeline))
        {
            var content = tftp.AddFile("ipxe.efi", 12_345);
            using var client = new RawTftpClient();
            client.SendRequest(tftp.Endpoint, "ipxe.efi", ("blksize", "1468"), ("windowsize", "4"));
            Assert.That(await client.DownloadAsync(1468, 4), Is.EqualTo(content));
            using var missing = new RawTftpClient();
            missing.SendRequest(tftp.Endpoint, "nope.efi");
            await missing.ReceiveAsync(Wait);

            IReadOnlyList<NodeHistoryEvent> history = [];
            await WaitUntil(async () => (history = await store.Store.ListHistoryAsync(node.Uuid)).Count >= 2);
            var tftpEvents = history.Where(h => h.EventType == HistoryEventType.Tftp).Select(h => h.Event).ToList();
            Assert.That(tftpEvents, Has.Some.Matches<string>(e => e.StartsWith("RRQ ipxe.efi 12,345 bytes in ") && e.EndsWith(" s blksize 1468 window 4")));
            Assert.That(tftpEvents, Has.Some.EqualTo("RRQ nope.efi refused: error 1 file not found"));
        }
        await cts.CancelAsync();
        await writer;
    }

    private sealed class LoopbackIs(string mac) : IAddressBook
    {
        public string? MacFor(IPAddress address) => IPAddress.IsLoopback(address) ? mac : null;
    }

    private static Task WaitUntil(Func<bool> condition) => WaitUntil(() => Task.FromResult(condition()));

    private static async Task WaitUntil(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail("condition not met within 15 s");
            await Task.Delay(50);
        }
    }
}
