using System.Net;
using Bifrost.Host.Configuration;
using Microsoft.Extensions.Configuration;
using NUnit.Framework;

namespace Bifrost.Host.Tests;

public class TftpConfigurationTests
{
    private static BifrostSettings Load(params (string Key, string Value)[] values) =>
        BifrostSettings.Load(new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build());

    [Test]
    public void Tftp_is_off_by_default_and_when_listen_is_empty()
    {
        Assert.That(Load().Tftp, Is.Null);
        Assert.That(Load(("Bifrost:Tftp:Listen", "")).Tftp, Is.Null);
    }

    [Test]
    public void An_address_alone_listens_on_69_and_serves_statedir_tftp()
    {
        var s = Load(("Bifrost:Tftp:Listen", "10.0.0.1"), ("Bifrost:StateDir", "/var/lib/bifrost"));
        Assert.That(s.Tftp!.Listen, Is.EqualTo(new IPEndPoint(IPAddress.Parse("10.0.0.1"), 69)));
        Assert.That(s.Tftp.Root, Is.EqualTo("/var/lib/bifrost/tftp"));
        Assert.That(s.Tftp.MaxRetries, Is.EqualTo(5));
        Assert.That(s.Tftp.Limits.DefaultTimeout, Is.EqualTo(TimeSpan.FromSeconds(1)));
    }

    [Test]
    public void Address_port_timeout_and_retries_are_read()
    {
        var s = Load(("Bifrost:Tftp:Listen", "127.0.0.1:6969"), ("Bifrost:Tftp:Timeout", "2.5"), ("Bifrost:Tftp:MaxRetries", "3"));
        Assert.That(s.Tftp!.Listen, Is.EqualTo(new IPEndPoint(IPAddress.Loopback, 6969)));
        Assert.That(s.Tftp.Limits.DefaultTimeout, Is.EqualTo(TimeSpan.FromSeconds(2.5)));
        Assert.That(s.Tftp.MaxRetries, Is.EqualTo(3));
    }

    [Test]
    public void Environment_style_ipv6_with_a_port_is_read()
    {
        var s = Load(("Bifrost:Tftp:Listen", "[::1]:6969"));
        Assert.That(s.Tftp!.Listen, Is.EqualTo(new IPEndPoint(IPAddress.IPv6Loopback, 6969)));
    }

    [TestCase("Bifrost:Tftp:Listen", "tftp.example", "Bifrost:Tftp:Listen = 'tftp.example' is not an address or address:port", TestName = "Tftp:Listen that is not an address is refused naming the key")]
    [TestCase("Bifrost:Tftp:Listen", "127.0.0.1:0", "Bifrost:Tftp:Listen = '127.0.0.1:0' is not an address or address:port", TestName = "Tftp:Listen on port 0 is refused")]
    [TestCase("Bifrost:Tftp:Timeout", "0", "Bifrost:Tftp:Timeout = '0' must be a number of seconds greater than 0", TestName = "Tftp:Timeout 0 is refused")]
    [TestCase("Bifrost:Tftp:MaxRetries", "0", "Bifrost:Tftp:MaxRetries = '0' must be an integer of at least 1", TestName = "Tftp:MaxRetries 0 is refused")]
    [TestCase("Bifrost:Tftp:Port", "69", "unknown configuration key Bifrost:Tftp:Port", TestName = "an unknown Tftp key is refused")]
    public void Bad_tftp_values_are_reported_with_their_key(string key, string value, string message)
    {
        var ex = Assert.Throws<ConfigError>(() => Load(("Bifrost:Tftp:Listen", "127.0.0.1:6969"), (key, value)));
        Assert.That(ex!.Message, Does.StartWith(message));
    }
}
