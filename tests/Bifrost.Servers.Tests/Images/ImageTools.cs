using System.Diagnostics;
using System.Security.Cryptography;
using Bifrost.TestKit;
using NUnit.Framework;

namespace Bifrost.Servers.Tests.Images;

/// <summary>The real qemu-img/qemu-io (Debian qemu-utils) making test images and the reference raw conversion.</summary>
internal static class ImageTools
{
    public static string QemuImg => Peers.Require("qemu-img", "qemu-utils");
    public static string QemuIo => Peers.Require("qemu-io", "qemu-utils");

    /// <summary>Runs a tool; a non-zero exit fails the test with its stderr.</summary>
    public static string Run(string exe, params string[] args)
    {
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {exe}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) Assert.Fail($"{exe} {string.Join(' ', args)} exited {p.ExitCode}: {stderr}");
        return stdout.Result;
    }

    /// <summary>qemu-io commands against an image (each -c one command).</summary>
    public static void Io(string image, params string[] commands)
    {
        var args = new List<string> { "-f", "qcow2" };
        foreach (var c in commands) args.AddRange(["-c", c]);
        args.Add(image);
        Run(QemuIo, [.. args]);
    }

    /// <summary>The reference: <c>qemu-img convert -O raw</c> into a file; returns its sha256 and length.</summary>
    public static (string Sha256, long Length) ReferenceRaw(string image, string dir)
    {
        var raw = Path.Combine(dir, Path.GetFileName(image) + ".ref.raw");
        Run(QemuImg, "convert", "-f", "qcow2", "-O", "raw", image, raw);
        var result = (Sha256(raw), new FileInfo(raw).Length);
        File.Delete(raw);
        return result;
    }

    public static string Sha256(string file)
    {
        using var s = File.OpenRead(file);
        return Convert.ToHexStringLower(SHA256.HashData(s));
    }

    /// <summary>Deterministic incompressible-ish bytes mixed with zero runs, so compression and sparseness both matter.</summary>
    public static void WritePattern(string path, long length, int seed)
    {
        var random = new Random(seed);
        using var f = File.Create(path);
        var block = new byte[65536];
        for (long done = 0; done < length; done += block.Length)
        {
            if (random.Next(3) == 0) Array.Clear(block);
            else if (random.Next(2) == 0) Array.Fill(block, (byte)random.Next(256));
            else random.NextBytes(block);
            f.Write(block, 0, (int)Math.Min(block.Length, length - done));
        }
    }
}
