using Bifrost.Host.Configuration;
using Microsoft.Extensions.Configuration;
using NUnit.Framework;

namespace Bifrost.Host.Tests;

/// <summary>The <c>Bifrost:Ipmi:*</c> keys: defaults kind to fragile BMCs, bad values refused naming the key.</summary>
public class IpmiConfigurationTests
{
    private static BifrostSettings Load(params (string Key, string Value)[] values) =>
        BifrostSettings.Load(new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build());

    [Test]
    public void Defaults_refuse_insecure_suites_and_pace_each_BMC()
    {
        var ipmi = Load().Ipmi;
        Assert.That(ipmi.AllowInsecureCipherSuites, Is.False);
        Assert.That(ipmi.CommandTimeout, Is.EqualTo(TimeSpan.FromSeconds(1)));
        Assert.That(ipmi.RetryBudget, Is.EqualTo(TimeSpan.FromSeconds(6)));
        Assert.That(ipmi.MinCommandInterval, Is.EqualTo(TimeSpan.FromMilliseconds(20)));
        Assert.That(ipmi.MaxConcurrentSessions, Is.EqualTo(64));
        Assert.That(ipmi.CipherDiscoveryTimeout, Is.EqualTo(TimeSpan.FromMilliseconds(500)));
        Assert.That(ipmi.SessionIdleLimit, Is.EqualTo(TimeSpan.FromSeconds(20)));
    }

    [Test]
    public void Values_are_read()
    {
        var ipmi = Load(("Bifrost:Ipmi:AllowInsecureCipherSuites", "true"), ("Bifrost:Ipmi:RetryBudget", "2.5"),
            ("Bifrost:Ipmi:MaxConcurrentSessions", "8"), ("Bifrost:Ipmi:MinCommandInterval", "0")).Ipmi;
        Assert.That((ipmi.AllowInsecureCipherSuites, ipmi.RetryBudget, ipmi.MaxConcurrentSessions, ipmi.MinCommandInterval),
            Is.EqualTo((true, TimeSpan.FromSeconds(2.5), 8, TimeSpan.Zero)));
    }

    [TestCase("Bifrost:Ipmi:AllowInsecureCipherSuites", "yes", "must be true or false")]
    [TestCase("Bifrost:Ipmi:CommandTimeout", "0", "must be a number of seconds greater than 0")]
    [TestCase("Bifrost:Ipmi:RetryBudget", "-1", "must be a number of seconds")]
    [TestCase("Bifrost:Ipmi:MaxConcurrentSessions", "0", "must be an integer of at least 1")]
    [TestCase("Bifrost:Ipmi:CipherSuite", "3", "unknown configuration key Bifrost:Ipmi:CipherSuite")]
    public void Bad_values_name_the_key(string key, string value, string message)
    {
        var e = Assert.Throws<ConfigError>(() => Load((key, value)));
        Assert.That(e!.Message, Does.Contain(message));
        if (!message.StartsWith("unknown", StringComparison.Ordinal)) Assert.That(e.Message, Does.StartWith(key));
    }
}
