"""Reads an Airflow DAG file without importing Airflow: prints, as JSON, its imports and the keyword
arguments of every call to DAG(...) and to *Operator(...), with module-level constants resolved.

Used by DeployDefinitionsTest: python3 dag_calls.py DAG_FILE. Values it cannot evaluate statically
(calls such as timedelta(...)) are given as {"expr": "<source>"}.
"""
import ast
import json
import sys


class Unresolved(Exception):
    pass


def evaluate(node, names):
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        if node.id in names:
            return names[node.id]
        raise Unresolved(node.id)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return evaluate(node.left, names) + evaluate(node.right, names)
    if isinstance(node, ast.JoinedStr):
        parts = []
        for v in node.values:
            if isinstance(v, ast.FormattedValue):
                parts.append(str(evaluate(v.value, names)))
            else:
                parts.append(evaluate(v, names))
        return "".join(parts)
    if isinstance(node, (ast.List, ast.Tuple)):
        return [evaluate(e, names) for e in node.elts]
    if isinstance(node, ast.Dict):
        return {evaluate(k, names): evaluate(v, names) for k, v in zip(node.keys, node.values)}
    raise Unresolved(ast.unparse(node))


def value(node, names):
    try:
        return evaluate(node, names)
    except Unresolved:
        if isinstance(node, ast.Dict):
            return {
                str(evaluate(k, names)): value(v, names) for k, v in zip(node.keys, node.values)
            }
        return {"expr": ast.unparse(node)}


def main(path):
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read(), filename=path)
    names, imports, calls = {}, [], []
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            try:
                names[stmt.targets[0].id] = evaluate(stmt.value, names)
            except Unresolved:
                pass
        elif isinstance(stmt, ast.ImportFrom):
            imports += [stmt.module + "." + a.name for a in stmt.names]
        elif isinstance(stmt, ast.Import):
            imports += [a.name for a in stmt.names]
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name == "DAG" or (name or "").endswith("Operator"):
                calls.append(
                    {
                        "function": name,
                        "line": node.lineno,
                        "kwargs": {k.arg: value(k.value, names) for k in node.keywords if k.arg},
                    }
                )
    json.dump({"imports": imports, "constants": names, "calls": calls}, sys.stdout, indent=1)


if __name__ == "__main__":
    main(sys.argv[1])
