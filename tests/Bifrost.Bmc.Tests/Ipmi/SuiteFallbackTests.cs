using Bifrost.Bmc.Ipmi;
using Bifrost.TestKit;
using static Bifrost.Bmc.Tests.Ipmi.ClientFixture;

namespace Bifrost.Bmc.Tests.Ipmi;

/// <summary>
/// When the BMC does not answer the pre-session cipher-suite query (many real BMCs ignore one framing or the other),
/// the client tries suite 17, sees the BMC refuse it (ipmi_sim has no SHA256), falls back to 3 and remembers that.
/// </summary>
[TestFixture]
public sealed class SuiteFallbackTests
{
    [Test]
    public async Task No_answer_to_discovery_means_17_is_tried_then_3_is_used_and_remembered()
    {
        using var sim = IpmiSim.Start();
        var sent15 = 0;
        await using var client = new IpmiClient(FastOptions(), TimeProvider.System, transports: endpoint =>
            new SilentTo15Transport(new UdpBmcTransport(endpoint), () => Interlocked.Increment(ref sent15)));
        var target = Target(sim);

        await client.VerifyAsync(target, default);
        Assert.That(sent15, Is.GreaterThan(0), "discovery was attempted");
        Assert.That(client.SessionsOpened, Is.EqualTo(1), "17 was refused at Open Session, 3 opened the session");

        var probes = sent15;
        sim.Stop();
        sim.Start(); // a new session is needed, but the suite is remembered: no second discovery
        await client.GetPowerOnAsync(target, default);
        Assert.That(sent15, Is.EqualTo(probes));
        Assert.That(client.SessionsOpened, Is.EqualTo(2));
    }

    /// <summary>Swallows IPMI 1.5-framed datagrams (auth type byte 0x00 after the RMCP header), as a BMC that
    /// ignores them would.</summary>
    private sealed class SilentTo15Transport(IBmcTransport inner, Action swallowed) : IBmcTransport
    {
        public ValueTask SendAsync(ReadOnlyMemory<byte> datagram, CancellationToken ct)
        {
            if (datagram.Length > 4 && datagram.Span[4] == 0x00)
            {
                swallowed();
                return ValueTask.CompletedTask;
            }
            return inner.SendAsync(datagram, ct);
        }

        public ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken ct) => inner.ReceiveAsync(buffer, ct);

        public void Dispose() => inner.Dispose();
    }
}
