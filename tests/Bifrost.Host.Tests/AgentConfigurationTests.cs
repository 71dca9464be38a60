using Bifrost.Host.Configuration;
using Microsoft.Extensions.Configuration;
using NUnit.Framework;

namespace Bifrost.Host.Tests;

/// <summary>Bifrost:Agent:* — defaults, the boot server's port for image URLs, and bad values named by key.</summary>
public class AgentConfigurationTests
{
    private static BifrostSettings Load(params (string Key, string Value)[] values) =>
        BifrostSettings.Load(new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build());

    [Test]
    public void Defaults_are_5_s_heartbeats_power_off_on_failure_and_metadata_cleaning()
    {
        var a = Load().Agent;
        Assert.That(a.HeartbeatInterval, Is.EqualTo(TimeSpan.FromSeconds(5)));
        Assert.That(a.PowerOffOnFailure, Is.True);
        Assert.That(a.AutomatedCleanStep, Is.EqualTo("erase_devices_metadata"));
        Assert.That(a.ImageServerUrl, Is.Null);
        Assert.That(a.ImageServerPort, Is.Null, "no boot listener");
    }

    [Test]
    public void Settings_are_read_and_the_image_port_follows_boot_listen()
    {
        var a = Load(("Bifrost:Agent:HeartbeatInterval", "2"), ("Bifrost:Agent:PowerOffOnFailure", "false"),
            ("Bifrost:Agent:CleanMethod", "full"), ("Bifrost:Boot:Listen", "0.0.0.0:8081"),
            ("Bifrost:Agent:ImageServerUrl", "http://10.0.0.1:8080/")).Agent;
        Assert.That(a.HeartbeatInterval, Is.EqualTo(TimeSpan.FromSeconds(2)));
        Assert.That(a.PowerOffOnFailure, Is.False);
        Assert.That(a.AutomatedCleanStep, Is.EqualTo("erase_devices"));
        Assert.That(a.ImageServerPort, Is.EqualTo(8081));
        Assert.That(a.ImageServerUrl, Is.EqualTo("http://10.0.0.1:8080"));
    }

    private static IEnumerable<TestCaseData> BadValues()
    {
        TestCaseData Case(string key, string value, string message) =>
            new TestCaseData(key, value, message).SetName($"{key} = '{value}' is refused naming the key");
        yield return Case("Bifrost:Agent:CleanMethod", "shred", "Bifrost:Agent:CleanMethod = 'shred' must be one of: metadata, full");
        yield return Case("Bifrost:Agent:HeartbeatInterval", "0", "Bifrost:Agent:HeartbeatInterval = '0' must be a number of seconds greater than 0");
        yield return Case("Bifrost:Agent:PowerOffOnFailure", "sometimes", "Bifrost:Agent:PowerOffOnFailure = 'sometimes' must be true or false");
        yield return Case("Bifrost:Agent:ImageServerUrl", "ftp://x", "Bifrost:Agent:ImageServerUrl = 'ftp://x' is not an http(s) URL");
        yield return Case("Bifrost:Agent:Token", "x", "unknown configuration key Bifrost:Agent:Token");
    }

    [TestCaseSource(nameof(BadValues))]
    public void Bad_values_are_reported_with_their_key(string key, string value, string message)
    {
        var ex = Assert.Throws<ConfigError>(() => Load((key, value)));
        Assert.That(ex!.Message, Does.StartWith(message));
    }
}
