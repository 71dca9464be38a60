using System.Diagnostics.Metrics;
using Bifrost.Api.Metrics;
using Bifrost.TestKit;

namespace Bifrost.Api.Tests;

/// <summary>
/// The exporter over a synthetic <c>Meter("Bifrost.Test")</c>: every instrument kind, label escaping, name
/// sanitising, which meters are picked up. Each test uses instrument names of its own, since meters are process-wide.
/// </summary>
public sealed class PrometheusExporterTests
{
    private static KeyValuePair<string, object?> Tag(string k, object? v) => new(k, v);

    [Test]
    public void Every_instrument_kind_is_exported_with_its_type_and_value()
    {
        using var meter = new Meter("Bifrost.Test");
        using var exporter = new PrometheusExporter();
        var p = "bifrost_test_kinds_" + Guid.NewGuid().ToString("N")[..6];

        var counter = meter.CreateCounter<long>(p + "_requests", description: "requests seen");
        counter.Add(2, Tag("kind", "a"));
        counter.Add(3, Tag("kind", "a"));
        counter.Add(1, Tag("kind", "b"));
        var upDown = meter.CreateUpDownCounter<int>(p + "_sessions");
        upDown.Add(5);
        upDown.Add(-2);
        var gauge = meter.CreateGauge<double>(p + "_temperature");
        gauge.Record(1.5);
        gauge.Record(2.5);
        meter.CreateObservableCounter(p + "_bytes", () => 42L);
        meter.CreateObservableUpDownCounter(p + "_delta", () => -7);
        meter.CreateObservableGauge(p + "_ratio", () => new Measurement<double>(0.25, Tag("side", "left")));
        var histogram = meter.CreateHistogram<double>(p + "_latency_seconds");
        foreach (var v in (double[])[0.003, 0.2, 7]) histogram.Record(v, Tag("op", "get"));

        var scrape = PrometheusScrape.Parse(exporter.Collect());

        Assert.That(scrape.Families[p + "_requests_total"].Type, Is.EqualTo("counter"), "counters get _total");
        Assert.That(scrape.Families[p + "_requests_total"].Help, Is.EqualTo("requests seen"));
        Assert.That(scrape.Value(p + "_requests_total", ("kind", "a")), Is.EqualTo(5));
        Assert.That(scrape.Value(p + "_requests_total", ("kind", "b")), Is.EqualTo(1));
        Assert.That(scrape.Families[p + "_sessions"].Type, Is.EqualTo("gauge"), "an up-down counter is a gauge");
        Assert.That(scrape.Value(p + "_sessions"), Is.EqualTo(3));
        Assert.That(scrape.Families[p + "_temperature"].Type, Is.EqualTo("gauge"));
        Assert.That(scrape.Value(p + "_temperature"), Is.EqualTo(2.5), "a gauge keeps the last value");
        Assert.That(scrape.Families[p + "_bytes_total"].Type, Is.EqualTo("counter"));
        Assert.That(scrape.Value(p + "_bytes_total"), Is.EqualTo(42), "an observable counter reports its total");
        Assert.That(scrape.Value(p + "_delta"), Is.EqualTo(-7));
        Assert.That(scrape.Value(p + "_ratio", ("side", "left")), Is.EqualTo(0.25));

        var h = p + "_latency_seconds";
        Assert.That(scrape.Families[h].Type, Is.EqualTo("histogram"));
        Assert.That(scrape.Value(h + "_bucket", ("op", "get"), ("le", "0.005")), Is.EqualTo(1));
        Assert.That(scrape.Value(h + "_bucket", ("op", "get"), ("le", "0.25")), Is.EqualTo(2));
        Assert.That(scrape.Value(h + "_bucket", ("op", "get"), ("le", "5")), Is.EqualTo(2));
        Assert.That(scrape.Value(h + "_bucket", ("op", "get"), ("le", "10")), Is.EqualTo(3));
        Assert.That(scrape.Value(h + "_bucket", ("op", "get"), ("le", "+Inf")), Is.EqualTo(3));
        Assert.That(scrape.Value(h + "_count", ("op", "get")), Is.EqualTo(3));
        Assert.That(scrape.Value(h + "_sum", ("op", "get")), Is.EqualTo(7.203).Within(1e-9));
    }

    [Test]
    public void A_histogram_uses_the_bucket_boundaries_its_instrument_advises()
    {
        using var meter = new Meter("Bifrost.Test");
        using var exporter = new PrometheusExporter();
        var name = "bifrost_test_advised_" + Guid.NewGuid().ToString("N")[..6];
        var histogram = meter.CreateHistogram(name, unit: "s", description: null, tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [1, 2] });
        histogram.Record(1.5);

        var scrape = PrometheusScrape.Parse(exporter.Collect());
        var les = scrape.Samples.Where(s => s.Name == name + "_bucket").Select(s => s.Labels["le"]);
        Assert.That(les, Is.EqualTo(new[] { "1", "2", "+Inf" }));
        Assert.That(scrape.Value(name + "_bucket", ("le", "1")), Is.Zero);
        Assert.That(scrape.Value(name + "_bucket", ("le", "2")), Is.EqualTo(1));
    }

    [Test]
    public void Names_are_sanitised_and_label_values_escaped()
    {
        using var meter = new Meter("Bifrost.Test");
        using var exporter = new PrometheusExporter();
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var counter = meter.CreateCounter<long>($"bifrost.test-dotted.{suffix}", description: "a \\ back\nslash");
        const string nasty = "say \"hi\"\\ and\nbye";
        counter.Add(1, Tag("my.tag", nasty), Tag("9lives", "x"));

        var text = exporter.Collect();
        var scrape = PrometheusScrape.Parse(text);
        var family = scrape.Families[$"bifrost_test_dotted_{suffix}_total"];
        Assert.That(family.Help, Is.EqualTo("a \\ back\nslash"), "HELP round-trips through its escaping");
        var sample = family.Samples.Single();
        Assert.That(sample.Labels["my_tag"], Is.EqualTo(nasty), "label values round-trip through their escaping");
        Assert.That(sample.Labels["_9lives"], Is.EqualTo("x"), "a label name may not start with a digit");
    }

    [Test]
    public void Only_Bifrost_meters_are_exported_and_a_scoped_meter_only_by_its_own_exporter()
    {
        var scope = new object();
        using var exporter = new PrometheusExporter(scope);
        using var other = new PrometheusExporter(new object());
        var suffix = Guid.NewGuid().ToString("N")[..6];
        using var foreign = new Meter("System.Net.Test");
        foreign.CreateCounter<long>("foreign_" + suffix).Add(1);
        using var scoped = new Meter("Bifrost.Scoped", null, null, scope);
        scoped.CreateCounter<long>("bifrost_scoped_" + suffix).Add(1);

        var mine = PrometheusScrape.Parse(exporter.Collect());
        var theirs = PrometheusScrape.Parse(other.Collect());
        Assert.That(mine.Families.Keys, Has.None.Contains("foreign_" + suffix));
        Assert.That(mine.Families.Keys, Has.Member($"bifrost_scoped_{suffix}_total"));
        Assert.That(theirs.Families.Keys, Has.No.Member($"bifrost_scoped_{suffix}_total"));
    }

    [Test]
    public void Counters_never_decrease_between_collections()
    {
        using var meter = new Meter("Bifrost.Test");
        using var exporter = new PrometheusExporter();
        var name = "bifrost_test_mono_" + Guid.NewGuid().ToString("N")[..6];
        var counter = meter.CreateCounter<double>(name);
        counter.Add(0.5);
        var first = PrometheusScrape.Parse(exporter.Collect()).Value(name + "_total");
        counter.Add(0.25);
        var second = PrometheusScrape.Parse(exporter.Collect()).Value(name + "_total");
        var third = PrometheusScrape.Parse(exporter.Collect()).Value(name + "_total");
        Assert.That(new[] { first, second, third }, Is.EqualTo(new double?[] { 0.5, 0.75, 0.75 }));
    }
}
