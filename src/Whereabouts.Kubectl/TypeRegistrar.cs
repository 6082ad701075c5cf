using Spectre.Console.Cli;

namespace Whereabouts.Kubectl;

/// <summary>
/// The smallest container Spectre.Console.Cli needs: registered instances, and types built through their one
/// public constructor from what is registered. Enough for commands that take the <see cref="KubectlHost"/>.
/// </summary>
sealed class TypeRegistrar : ITypeRegistrar, ITypeResolver
{
    readonly Dictionary<Type, Func<object>> made = [];

    public void Register(Type service, Type implementation) => made[service] = () => Build(implementation);
    public void RegisterInstance(Type service, object implementation) => made[service] = () => implementation;
    public void RegisterLazy(Type service, Func<object> factory) => made[service] = factory;
    public ITypeResolver Build() => this;

    public object? Resolve(Type? type) =>
        type is null ? null : made.TryGetValue(type, out var make) ? make() : type.IsAbstract || type.IsInterface ? null : Build(type);

    object Build(Type type)
    {
        var ctor = type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).First();
        return ctor.Invoke(ctor.GetParameters().Select(p => Resolve(p.ParameterType)).ToArray());
    }
}
