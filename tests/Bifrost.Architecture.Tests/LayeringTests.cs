using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using NUnit.Framework;

namespace Bifrost.Architecture.Tests;

/// <summary>
/// The layering rules of DESIGN.md: dependencies point down only, and Protocols and Domain do no I/O and use no
/// framework. Checked on the built assemblies: their references and every type they name.
/// </summary>
public class LayeringTests
{
    /// <summary>Each layer and the Bifrost layers it may use (lower ones only).</summary>
    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["Bifrost.Protocols"] = [],
        ["Bifrost.Domain"] = ["Bifrost.Protocols"],
        ["Bifrost.Store.Sqlite"] = ["Bifrost.Domain", "Bifrost.Protocols"],
        ["Bifrost.Bmc"] = ["Bifrost.Domain", "Bifrost.Protocols"],
        ["Bifrost.Servers"] = ["Bifrost.Domain", "Bifrost.Protocols"],
        ["Bifrost.Api"] = ["Bifrost.Domain", "Bifrost.Protocols"],
        ["bifrost"] = ["Bifrost.Api", "Bifrost.Servers", "Bifrost.Bmc", "Bifrost.Store.Sqlite", "Bifrost.Domain", "Bifrost.Protocols"],
    };

    private static IEnumerable<TestCaseData> Layers() =>
        Allowed.Select(kv => new TestCaseData(kv.Key, kv.Value).SetName($"{kv.Key} depends only on lower layers"));

    [TestCaseSource(nameof(Layers))]
    public void Dependencies_point_down_only(string layer, string[] allowed)
    {
        var references = Assembly.LoadFrom(PathOf(layer)).GetReferencedAssemblies()
            .Select(a => a.Name!)
            .Where(n => n.StartsWith("Bifrost", StringComparison.Ordinal) || n == "bifrost");
        Assert.That(references.Except(allowed), Is.Empty);
    }

    /// <summary>Namespaces and types that mean I/O or a framework; pure layers may not name them.</summary>
    private static readonly string[] Forbidden =
    [
        "Microsoft.AspNetCore", "Microsoft.Data.Sqlite", "SQLitePCL", "Serilog", "Microsoft.Extensions.Hosting",
        "System.Net.Sockets", "System.Net.Http", "System.Diagnostics.Process",
        "System.IO.File", "System.IO.FileStream", "System.IO.Directory", "System.IO.FileInfo", "System.IO.DirectoryInfo",
        "System.Console", "System.Environment",
    ];

    [TestCase("Bifrost.Protocols")]
    [TestCase("Bifrost.Domain")]
    public void Pure_layers_do_no_io_and_use_no_framework(string layer)
    {
        var named = TypeReferences(PathOf(layer)).ToList();
        Assert.That(named, Is.Not.Empty, "the scan found no type references at all");
        var offending = named.Where(t => Forbidden.Any(f => t == f || t.StartsWith(f + ".", StringComparison.Ordinal)
                                                           || t.StartsWith(f + "`", StringComparison.Ordinal))).Distinct();
        Assert.That(offending, Is.Empty);
    }

    [Test]
    public void The_scan_sees_what_it_forbids()
    {
        // Guard against a scan that finds nothing: the host does use files and ASP.NET Core.
        var named = TypeReferences(PathOf("bifrost")).ToList();
        Assert.That(named, Has.Some.StartsWith("Microsoft.AspNetCore"));
        Assert.That(named, Has.Some.EqualTo("System.IO.File").Or.Some.EqualTo("System.IO.Directory"));
    }

    private static string PathOf(string assembly)
    {
        var path = Path.Combine(AppContext.BaseDirectory, assembly + ".dll");
        return File.Exists(path) ? path : throw new FileNotFoundException(path);
    }

    private static IEnumerable<string> TypeReferences(string path)
    {
        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream);
        var md = pe.GetMetadataReader();
        foreach (var handle in md.TypeReferences)
        {
            var type = md.GetTypeReference(handle);
            var ns = md.GetString(type.Namespace);
            var name = md.GetString(type.Name);
            yield return ns.Length == 0 ? name : $"{ns}.{name}";
        }
    }
}
