using Bifrost.Protocols.Dhcp;
using NUnit.Framework;

namespace Bifrost.Protocols.Tests.Dhcp;

public class PxeClientTests
{
    private static IEnumerable<TestCaseData> Clients()
    {
        TestCaseData Case(string name, Action<DhcpOptions> set, ClientArch? arch, bool pxe, bool http, bool ipxe) =>
            new TestCaseData(set, arch, pxe, http, ipxe).SetName(name);
        yield return Case("option 93 gives the arch", o => o.Set(93, [0, 7]).SetString(60, "PXEClient:Arch:00007:UNDI:003016"),
            ClientArch.X64Uefi, true, false, false);
        yield return Case("without option 93 the arch comes from the PXEClient vendor class",
            o => o.SetString(60, "PXEClient:Arch:00000:UNDI:002001"), ClientArch.X86Bios, true, false, false);
        yield return Case("iPXE's bare user class 'iPXE' is recognised", o => o.SetString(77, "iPXE").Set(93, [0, 0]),
            ClientArch.X86Bios, false, false, true);
        yield return Case("an RFC 3004 length-prefixed user class list is read",
            o => o.Set(77, [4, (byte)'i', (byte)'P', (byte)'X', (byte)'E', 3, (byte)'f', (byte)'o', (byte)'o']), null, false, false, true);
        yield return Case("HTTPClient vendor class with arch 16 is UEFI HTTP boot",
            o => o.Set(93, [0, 16]).SetString(60, "HTTPClient:Arch:00016:UNDI:003001"), ClientArch.X64UefiHttp, false, true, false);
        yield return Case("a plain client is no netboot client", o => o.SetString(60, "MSFT 5.0"), null, false, false, false);
    }

    [TestCaseSource(nameof(Clients))]
    public void Reads_what_the_client_is(Action<DhcpOptions> set, ClientArch? arch, bool pxe, bool http, bool ipxe)
    {
        var options = new DhcpOptions();
        set(options);
        var client = PxeClient.From(options);
        Assert.That(client.Arch, Is.EqualTo(arch));
        Assert.That(client.IsPxe, Is.EqualTo(pxe));
        Assert.That(client.IsHttpBoot, Is.EqualTo(http));
        Assert.That(client.IsIpxe, Is.EqualTo(ipxe));
    }

    [Test]
    public void Encapsulated_options_round_trip_and_refuse_overruns()
    {
        var bytes = EncapsulatedOptions.Encode((176, [1]), (1, [9, 9]));
        Assert.That(bytes, Is.EqualTo(new byte[] { 176, 1, 1, 1, 2, 9, 9 }));
        Assert.That(EncapsulatedOptions.TryDecode(bytes, out var items, out _), Is.True);
        Assert.That(items.Select(i => i.Code), Is.EqualTo(new byte[] { 176, 1 }));
        Assert.That(EncapsulatedOptions.TryDecode(new byte[] { 1, 5, 0 }, out _, out var error), Is.False);
        Assert.That(error, Does.Contain("runs past"));
    }
}
