using Bifrost.Host.Configuration;
using Microsoft.Extensions.Configuration;
using NUnit.Framework;

namespace Bifrost.Host.Tests;

/// <summary><c>Bifrost:Images:*</c>: defaults, the image directory under StateDir, bad values named by key.</summary>
public class ImageConfigurationTests
{
    private static BifrostSettings Load(params (string Key, string Value)[] values) =>
        BifrostSettings.Load(new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build());

    [Test]
    public void Defaults_keep_images_under_StateDir_with_a_60_s_stall_timeout_and_4_retries()
    {
        var s = Load(("Bifrost:StateDir", "/var/lib/bifrost"));
        Assert.That((s.Images.ImagesDir, s.Images.CacheDir, s.Images.DownloadStallTimeout, s.Images.DownloadRetries),
            Is.EqualTo(("/var/lib/bifrost/images", "/var/lib/bifrost/images/.cache", TimeSpan.FromSeconds(60), 4)));
    }

    [Test]
    public void Values_are_read()
    {
        var s = Load(("Bifrost:Images:DownloadStallTimeout", "2.5"), ("Bifrost:Images:DownloadRetries", "0"));
        Assert.That((s.Images.DownloadStallTimeout, s.Images.DownloadRetries), Is.EqualTo((TimeSpan.FromSeconds(2.5), 0)));
    }

    [TestCase("Bifrost:Images:DownloadStallTimeout", "0", "Bifrost:Images:DownloadStallTimeout = '0' must be a number of seconds greater than 0",
        TestName = "Bifrost:Images:DownloadStallTimeout = 0 is refused naming the key")]
    [TestCase("Bifrost:Images:DownloadRetries", "-1", "Bifrost:Images:DownloadRetries = '-1' must be an integer of at least 0",
        TestName = "Bifrost:Images:DownloadRetries = -1 is refused naming the key")]
    [TestCase("Bifrost:Images:CacheDir", "/tmp", "unknown configuration key Bifrost:Images:CacheDir",
        TestName = "Bifrost:Images:CacheDir is not a key (the cache lives in StateDir/images/.cache)")]
    public void Bad_values_are_refused(string key, string value, string message)
    {
        var ex = Assert.Throws<ConfigError>(() => Load((key, value)));
        Assert.That(ex!.Message, Does.StartWith(message));
    }
}
