using Bifrost.Host.Configuration;
using Bifrost.TestKit;
using Microsoft.Extensions.Configuration;
using NUnit.Framework;

namespace Bifrost.Host.Tests;

public class ConfigurationTests
{
    private static BifrostSettings Load(params (string Key, string Value)[] values) =>
        BifrostSettings.Load(new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build());

    [Test]
    public void Defaults_listen_on_loopback_6385_with_state_in_var()
    {
        var s = Load();
        Assert.That(s.Api.Listen, Is.EqualTo("127.0.0.1:6385"));
        Assert.That(s.StateDir, Is.EqualTo(Path.GetFullPath("./var")));
        Assert.That(s.Conductor.DeployCallbackTimeout, Is.EqualTo(TimeSpan.FromSeconds(1800)));
        Assert.That(s.Conductor.CleanCallbackTimeout, Is.EqualTo(TimeSpan.FromSeconds(1800)));
        Assert.That(s.Conductor.InspectWaitTimeout, Is.EqualTo(TimeSpan.FromSeconds(1800)));
    }

    private static IEnumerable<TestCaseData> BadValues()
    {
        TestCaseData Case(string key, string value, string message) =>
            new TestCaseData(key, value, message).SetName($"{key} = '{value}' is refused naming the key");
        yield return Case("Bifrost:Api:Listen", "nonsense", "Bifrost:Api:Listen = 'nonsense' is not an address:port");
        yield return Case("Bifrost:Api:Listen", "127.0.0.1", "Bifrost:Api:Listen = '127.0.0.1' is not an address:port");
        yield return Case("Bifrost:Api:Listen", "127.0.0.1:0", "Bifrost:Api:Listen = '127.0.0.1:0' is not an address:port");
        yield return Case("Bifrost:Api:MaxLimit", "0", "Bifrost:Api:MaxLimit = '0' must be an integer of at least 1");
        yield return Case("Bifrost:Conductor:DeployCallbackTimeout", "soon", "Bifrost:Conductor:DeployCallbackTimeout = 'soon' must be a number of seconds");
        yield return Case("Bifrost:Conductor:CheckProvisionStateInterval", "0", "Bifrost:Conductor:CheckProvisionStateInterval = '0' must be a number of seconds greater than 0");
        yield return Case("Bifrost:Conductor:AutomatedClean", "maybe", "Bifrost:Conductor:AutomatedClean = 'maybe' must be true or false");
        yield return Case("Bifrost:Fake:DeployDelay", "-1", "Bifrost:Fake:DeployDelay = '-1' must be a number of seconds");
        yield return Case("Bifrost:Logging:Level", "Loud", "Bifrost:Logging:Level = 'Loud' must be one of");
        yield return Case("Bifrost:Api:Lisen", "127.0.0.1:1", "unknown configuration key Bifrost:Api:Lisen");
        yield return Case("Bifrost:StateDir", " ", "Bifrost:StateDir must not be empty");
    }

    [TestCaseSource(nameof(BadValues))]
    public void Bad_values_are_reported_with_their_key(string key, string value, string message)
    {
        var ex = Assert.Throws<ConfigError>(() => Load((key, value)));
        Assert.That(ex!.Message, Does.StartWith(message));
    }

    [Test]
    public void Timeouts_accept_fractions_of_seconds()
    {
        var s = Load(("Bifrost:Fake:DeployDelay", "0.25"), ("Bifrost:Conductor:DeployCallbackTimeout", "5"));
        Assert.That(s.Fake.DeployDelay, Is.EqualTo(TimeSpan.FromMilliseconds(250)));
        Assert.That(s.Conductor.DeployCallbackTimeout, Is.EqualTo(TimeSpan.FromSeconds(5)));
    }

    [Test]
    public void A_malformed_file_is_reported_with_file_and_line()
    {
        using var dir = new TempDirectory();
        var file = Path.Combine(dir.Path, "bad.json");
        File.WriteAllText(file, "{\n  \"Bifrost\": {\n    \"StateDir\": \"./var\",,\n  }\n}\n");
        var ex = Assert.Throws<ConfigError>(() => ConfigLoader.Load(file));
        Assert.That(ex!.Message, Does.Contain(file).And.Contain("not valid JSON").And.Contain("line 3"));
    }

    [Test]
    public void A_missing_file_given_with_config_is_an_error()
    {
        var ex = Assert.Throws<ConfigError>(() => ConfigLoader.Load("/nonexistent/bifrost.json"));
        Assert.That(ex!.Message, Is.EqualTo("configuration file /nonexistent/bifrost.json does not exist"));
    }

    [Test]
    public void The_shipped_appsettings_json_is_valid()
    {
        var root = Repo.Root;
        var (configuration, _) = ConfigLoader.Load(Path.Combine(root, "appsettings.json"));
        var s = BifrostSettings.Load(configuration);
        Assert.That(s.Api.Listen, Is.EqualTo("127.0.0.1:6385"));
    }
}
