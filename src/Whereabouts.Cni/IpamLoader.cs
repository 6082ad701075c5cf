using System.Text;
using LanguageExt;
using LanguageExt.Common;
using Whereabouts.Core.Config;

namespace Whereabouts.Cni;

/// <summary>
/// Reads the flat file (the first of the search paths that exists) and merges it under the inline IPAM
/// object. Unlike upstream, a missing flat file is not an error: a complete inline config needs none.
/// </summary>
public static class IpamLoader
{
    public static Fin<IpamSettings> Load(NetworkConfig network, Func<string, string?> readFile) =>
        from flat in ReadFlatFile(network.Ipam, readFile)
        from settings in ConfigParser.ParseIpam(FlatFile.Merge(network.Ipam, flat))
        select settings;

    static Fin<Option<IpamDto>> ReadFlatFile(IpamDto ipam, Func<string, string?> readFile)
    {
        foreach (var path in FlatFile.SearchPaths(ipam.ConfigurationPath ?? ""))
        {
            var text = readFile(path);
            if (text is null) continue;
            return IpamReader.Read(Encoding.UTF8.GetBytes(text)).Match(
                Succ: dto => Fin<Option<IpamDto>>.Succ(dto),
                Fail: e => Error.New(Core.Errors.InvalidConfigCode, $"flat file {path}: {e.Message}"));
        }
        return Option<IpamDto>.None;
    }

    /// <summary>The real file system: null when the file does not exist.</summary>
    public static string? ReadIfExists(string path)
    {
        try { return File.Exists(path) ? File.ReadAllText(path) : null; }
        catch (DirectoryNotFoundException) { return null; }
        catch (FileNotFoundException) { return null; }
    }
}
