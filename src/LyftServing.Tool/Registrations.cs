using System.Reflection;
using System.Runtime.Loader;
using LyftServing.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace LyftServing.Tool;

/// <summary>
/// What the tool registers in its test host: every runtime package's runtimes (a public static
/// <c>Add…Runtime(this IModelServingBuilder)</c> or <c>Add…Runtimes(…)</c> of a <c>LyftServing.*</c>
/// assembly next to the tool or of an assembly named with <c>--runtime</c>, such as
/// <c>AddOnnxRuntime</c>), and the registration of every
/// <see cref="IModelServingSetup"/> of the <c>--setup</c> assemblies.
/// </summary>
internal sealed class Registrations
{
    private static readonly HashSet<string> NotRuntimePackages = new(StringComparer.OrdinalIgnoreCase)
    {
        "LyftServing.Core", "LyftServing.Testing", "LyftServing.AspNetCore", "lyftserving",
    };

    private readonly List<MethodInfo> _runtimes;
    private readonly List<IModelServingSetup> _setups;

    private Registrations(List<MethodInfo> runtimes, List<IModelServingSetup> setups)
    {
        _runtimes = runtimes;
        _setups = setups;
    }

    /// <summary>Gets what is registered, for the report's first lines: <c>AddOnnxRuntime (LyftServing.OnnxRuntime)</c>.</summary>
    public IEnumerable<string> Descriptions =>
        _runtimes.Select(m => $"{m.Name} ({m.DeclaringType!.Assembly.GetName().Name})")
            .Concat(_setups.Select(s => $"{s.GetType().FullName} ({s.GetType().Assembly.GetName().Name})"))
            .DefaultIfEmpty("none");

    public static Registrations Load(IEnumerable<string> runtimePaths, IEnumerable<string> setupPaths)
    {
        var runtimePackages = Directory.EnumerateFiles(AppContext.BaseDirectory, "LyftServing.*.dll")
            .Where(p => !NotRuntimePackages.Contains(Path.GetFileNameWithoutExtension(p)))
            .Order(StringComparer.Ordinal)
            .Select(p => AssemblyLoadContext.Default.LoadFromAssemblyName(AssemblyName.GetAssemblyName(p)))
            .Concat(runtimePaths.Select(LoadPlugin));
        var runtimes = runtimePackages.SelectMany(RuntimeRegistrations).DistinctBy(m => (m.DeclaringType!.FullName, m.Name)).ToList();
        var setups = setupPaths.Select(LoadPlugin).SelectMany(CreateSetups).ToList();
        return new Registrations(runtimes, setups);
    }

    public void Configure(IHostApplicationBuilder builder)
    {
        var serving = builder.Services.AddModelServing(builder.Configuration.GetSection("ModelServing"));
        foreach (var runtime in _runtimes)
        {
            runtime.Invoke(null, [serving]);
        }

        foreach (var setup in _setups)
        {
            setup.Configure(builder);
        }
    }

    private static IEnumerable<MethodInfo> RuntimeRegistrations(Assembly assembly) =>
        ExportedTypes(assembly)
            .Where(t => t is { IsAbstract: true, IsSealed: true })
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static))
            .Where(m => m.Name.StartsWith("Add", StringComparison.Ordinal)
                && (m.Name.EndsWith("Runtime", StringComparison.Ordinal) || m.Name.EndsWith("Runtimes", StringComparison.Ordinal))
                && !m.IsGenericMethodDefinition
                && m.ReturnType == typeof(IModelServingBuilder)
                && m.GetParameters() is [{ ParameterType: var p }] && p == typeof(IModelServingBuilder));

    private static IEnumerable<IModelServingSetup> CreateSetups(Assembly assembly)
    {
        var setups = ExportedTypes(assembly)
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IModelServingSetup).IsAssignableFrom(t) && t.GetConstructor(Type.EmptyTypes) is not null)
            .Select(t => (IModelServingSetup)Activator.CreateInstance(t)!)
            .ToList();
        return setups.Count > 0
            ? setups
            : throw new InvalidOperationException($"{assembly.Location} has no public class implementing {nameof(IModelServingSetup)} with a parameterless constructor.");
    }

    private static IEnumerable<Type> ExportedTypes(Assembly assembly)
    {
        try
        {
            return assembly.GetExportedTypes();
        }
        catch (ReflectionTypeLoadException ex)
        {
            // Types whose dependencies are missing cannot be what we look for anyway.
            return ex.Types.OfType<Type>().Where(t => t.IsPublic);
        }
    }

    private static Assembly LoadPlugin(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The assembly '{path}' does not exist.", path);
        }

        return new PluginLoadContext(path).LoadFromAssemblyPath(path);
    }

    /// <summary>
    /// Loads a service's or runtime package's assembly with its own dependencies (its .deps.json), sharing
    /// every assembly the tool has (LyftServing.Core, LyftServing.Testing, the frameworks), so
    /// its types are the tool's.
    /// </summary>
    private sealed class PluginLoadContext(string path) : AssemblyLoadContext(Path.GetFileName(path))
    {
        private readonly AssemblyDependencyResolver _resolver = new(path);

        protected override Assembly? Load(AssemblyName assemblyName)
        {
            try
            {
                return Default.LoadFromAssemblyName(assemblyName);
            }
            catch (FileNotFoundException)
            {
                return _resolver.ResolveAssemblyToPath(assemblyName) is { } file ? LoadFromAssemblyPath(file) : null;
            }
        }

        protected override nint LoadUnmanagedDll(string unmanagedDllName) =>
            _resolver.ResolveUnmanagedDllToPath(unmanagedDllName) is { } file ? LoadUnmanagedDllFromPath(file) : 0;
    }
}
