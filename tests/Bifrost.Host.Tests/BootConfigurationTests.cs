using System.Net;
using Bifrost.Host.Configuration;
using Microsoft.Extensions.Configuration;
using NUnit.Framework;

namespace Bifrost.Host.Tests;

/// <summary>The Bifrost:Boot:* keys.</summary>
public class BootConfigurationTests
{
    private static BifrostSettings Load(params (string Key, string Value)[] values) =>
        BifrostSettings.Load(new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build());

    [Test]
    public void Http_boot_is_off_by_default_with_the_standard_ramdisk_names()
    {
        var s = Load();
        Assert.That(s.Boot.Listen, Is.Null);
        Assert.That(s.Boot.Planner.Discovery, Is.False);
        Assert.That(s.Boot.Planner.RamdiskKernel, Is.EqualTo("bifrost-agent.kernel"));
        Assert.That(s.Boot.Planner.RamdiskInitrd, Is.EqualTo("bifrost-agent.initramfs"));
        Assert.That(s.Boot.RamdiskDir, Is.EqualTo(Path.Combine(s.StateDir, "ramdisk")));
        Assert.That(s.Boot.TftpDir, Is.EqualTo(Path.Combine(s.StateDir, "tftp")));
        Assert.That(s.Boot.ApiPort, Is.EqualTo(6385));
    }

    [Test]
    public void Every_boot_key_is_read()
    {
        var s = Load(("Bifrost:Boot:Listen", "0.0.0.0:8080"), ("Bifrost:Boot:Discovery", "true"),
            ("Bifrost:Boot:KernelArgs", "console=ttyS0"), ("Bifrost:Boot:RamdiskKernel", "k"),
            ("Bifrost:Boot:RamdiskInitrd", "i"), ("Bifrost:Boot:ApiUrl", "http://10.0.0.1:6385"));
        Assert.That(s.Boot.Listen, Is.EqualTo(new IPEndPoint(IPAddress.Any, 8080)));
        Assert.That(s.Boot.Planner, Is.EqualTo(new Domain.Boot.BootSettings
        {
            Discovery = true, KernelArgs = "console=ttyS0", RamdiskKernel = "k", RamdiskInitrd = "i",
        }));
        Assert.That(s.Boot.ApiUrl, Is.EqualTo("http://10.0.0.1:6385"));
    }

    private static IEnumerable<TestCaseData> BadValues()
    {
        TestCaseData Case(string key, string value, string message) =>
            new TestCaseData(key, value, message).SetName($"{key} = '{value}' is refused naming the key");
        yield return Case("Bifrost:Boot:Listen", "8080", "Bifrost:Boot:Listen = '8080' is not an address:port");
        yield return Case("Bifrost:Boot:Listen", "127.0.0.1:6385", "Bifrost:Boot:Listen = '127.0.0.1:6385' uses the API's port 6385");
        yield return Case("Bifrost:Boot:Discovery", "sometimes", "Bifrost:Boot:Discovery = 'sometimes' must be true or false");
        yield return Case("Bifrost:Boot:RamdiskKernel", "../k", "Bifrost:Boot:RamdiskKernel = '../k' must be a file name");
        yield return Case("Bifrost:Boot:RamdiskInitrd", "a b", "Bifrost:Boot:RamdiskInitrd = 'a b' must be a file name");
        yield return Case("Bifrost:Boot:ApiUrl", "10.0.0.1:6385", "Bifrost:Boot:ApiUrl = '10.0.0.1:6385' is not an http(s) URL");
    }

    [TestCaseSource(nameof(BadValues))]
    public void Bad_values_name_their_key(string key, string value, string message) =>
        Assert.That(() => Load((key, value)), Throws.TypeOf<ConfigError>().With.Message.Contains(message));
}
