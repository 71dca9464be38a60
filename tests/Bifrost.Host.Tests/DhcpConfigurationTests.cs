using System.Net;
using Bifrost.Host.Configuration;
using Bifrost.Servers.Dhcp;
using Microsoft.Extensions.Configuration;
using NUnit.Framework;

namespace Bifrost.Host.Tests;

public class DhcpConfigurationTests
{
    private static readonly (string, string)[] ValidFull =
    [
        ("Bifrost:Dhcp:Mode", "full"), ("Bifrost:Dhcp:Interface", "br0"), ("Bifrost:Dhcp:Subnet", "10.0.0.0/24"),
        ("Bifrost:Dhcp:RangeStart", "10.0.0.100"), ("Bifrost:Dhcp:RangeEnd", "10.0.0.199"),
    ];

    private static BifrostSettings Load(params (string Key, string Value)[] values) =>
        BifrostSettings.Load(new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build());

    private static BifrostSettings LoadFull(params (string Key, string Value)[] overrides) =>
        Load([.. ValidFull.Where(v => overrides.All(o => o.Key != v.Item1)), .. overrides]);

    [Test]
    public void Dhcp_is_off_by_default()
    {
        Assert.That(Load().Dhcp.Mode, Is.EqualTo(DhcpMode.Off));
    }

    [Test]
    public void Router_advertisements_default_on_in_full_mode_off_in_proxy_mode_and_never_without_dhcp()
    {
        Assert.That(LoadFull().RouterAdvertisement, Is.True);
        Assert.That(LoadFull(("Bifrost:Dhcp:RouterAdvertisement", "false")).RouterAdvertisement, Is.False);
        Assert.That(Load(("Bifrost:Dhcp:Mode", "proxy"), ("Bifrost:Dhcp:Interface", "br0")).RouterAdvertisement, Is.False);
        Assert.That(Load(("Bifrost:Dhcp:Mode", "proxy"), ("Bifrost:Dhcp:Interface", "br0"), ("Bifrost:Dhcp:RouterAdvertisement", "true"))
            .RouterAdvertisement, Is.True);
        Assert.That(Load(("Bifrost:Dhcp:RouterAdvertisement", "true")).RouterAdvertisement, Is.False, "no DHCP interface, nothing to answer on");
    }

    [Test]
    public void A_full_configuration_is_read()
    {
        var d = LoadFull(("Bifrost:Dhcp:Router", "10.0.0.1"), ("Bifrost:Dhcp:Dns", "10.0.0.1, 9.9.9.9"), ("Bifrost:Dhcp:Domain", "lab"),
            ("Bifrost:Dhcp:LeaseTime", "600"), ("Bifrost:Dhcp:ServeUnknown", "false"), ("Bifrost:Dhcp:UefiBootFile", "snponly.efi"),
            ("Bifrost:Dhcp:Advertise", "10.0.0.1"), ("Bifrost:Dhcp:BootPort", "8081")).Dhcp;
        Assert.That(d.Mode, Is.EqualTo(DhcpMode.Full));
        Assert.That(d.Network, Is.EqualTo(IPAddress.Parse("10.0.0.0")));
        Assert.That(d.PrefixLength, Is.EqualTo(24));
        Assert.That(d.Dns, Is.EqualTo(new[] { IPAddress.Parse("10.0.0.1"), IPAddress.Parse("9.9.9.9") }));
        Assert.That(d.LeaseTime, Is.EqualTo(TimeSpan.FromMinutes(10)));
        Assert.That(d.ServeUnknown, Is.False);
        Assert.That(d.UefiBootFile, Is.EqualTo("snponly.efi"));
        Assert.That(d.BootPort, Is.EqualTo(8081));
    }

    private static IEnumerable<TestCaseData> Bad()
    {
        TestCaseData Case(string message, params (string, string)[] values) =>
            new TestCaseData(values, message).SetName($"refused: {message}");
        yield return Case("Bifrost:Dhcp:Mode = 'on' must be off, full or proxy", ("Bifrost:Dhcp:Mode", "on"));
        yield return Case("Bifrost:Dhcp:Interface is required when Bifrost:Dhcp:Mode is proxy", ("Bifrost:Dhcp:Mode", "proxy"));
        yield return Case("Bifrost:Dhcp:Subnet is required in full mode", ("Bifrost:Dhcp:Mode", "full"), ("Bifrost:Dhcp:Interface", "br0"));
        yield return Case("Bifrost:Dhcp:Subnet = '10.0.0.0' must be an IPv4 network in CIDR form", ("Bifrost:Dhcp:Subnet", "10.0.0.0"));
        yield return Case("Bifrost:Dhcp:Subnet = '10.0.0.5/24' has host bits set", ("Bifrost:Dhcp:Subnet", "10.0.0.5/24"));
        yield return Case("Bifrost:Dhcp:RangeStart = '10.0.1.5' is outside Bifrost:Dhcp:Subnet 10.0.0.0/24",
            ("Bifrost:Dhcp:RangeStart", "10.0.1.5"));
        yield return Case("Bifrost:Dhcp:RangeEnd = '10.0.0.255' is the network or broadcast address",
            ("Bifrost:Dhcp:RangeEnd", "10.0.0.255"));
        yield return Case("Bifrost:Dhcp:RangeEnd = '10.0.0.50' is before Bifrost:Dhcp:RangeStart = '10.0.0.100'",
            ("Bifrost:Dhcp:RangeEnd", "10.0.0.50"));
        yield return Case("Bifrost:Dhcp:Router = '192.168.0.1' is outside Bifrost:Dhcp:Subnet", ("Bifrost:Dhcp:Router", "192.168.0.1"));
        yield return Case("Bifrost:Dhcp:Dns = 'dns.example' is not an IPv4 address", ("Bifrost:Dhcp:Dns", "dns.example"));
        yield return Case("Bifrost:Dhcp:LeaseTime = '10' must be a number of seconds, at least 60", ("Bifrost:Dhcp:LeaseTime", "10"));
        yield return Case("Bifrost:Dhcp:ServeUnknown = 'yes' must be true or false", ("Bifrost:Dhcp:ServeUnknown", "yes"));
        yield return Case("Bifrost:Dhcp:UefiBootFile = 'grub.efi' must be ipxe.efi or snponly.efi", ("Bifrost:Dhcp:UefiBootFile", "grub.efi"));
        yield return Case("Bifrost:Dhcp:Advertise = '::1' is not an IPv4 address", ("Bifrost:Dhcp:Advertise", "::1"));
        yield return Case("Bifrost:Dhcp:BootPort = '0' must be a port number", ("Bifrost:Dhcp:BootPort", "0"));
        yield return Case("Bifrost:Dhcp:BootUrl = 'ftp://x' must be an absolute http:// URL", ("Bifrost:Dhcp:BootUrl", "ftp://x"));
        yield return Case("unknown configuration key Bifrost:Dhcp:Rnage", ("Bifrost:Dhcp:Rnage", "x"));
    }

    [TestCaseSource(nameof(Bad))]
    public void Bad_dhcp_settings_are_refused_naming_the_key((string, string)[] values, string message)
    {
        // Cases that set the mode stand alone; the others spoil one key of a valid full configuration.
        var ex = Assert.Throws<ConfigError>(() => _ = values.Any(v => v.Item1 == "Bifrost:Dhcp:Mode") ? Load(values) : LoadFull(values));
        Assert.That(ex!.Message, Does.StartWith(message));
    }
}
