import socket
from pathlib import Path

from segmentation_tools.engines import postgres_server


def test_the_newest_server_is_chosen(tmp_path: Path) -> None:
    for version in ("13", "15", "9.6"):
        (tmp_path / version / "bin").mkdir(parents=True)
        (tmp_path / version / "bin" / "initdb").touch()
    assert postgres_server.find_bin_dir(tmp_path) == tmp_path / "15" / "bin"


def test_no_server_installed(tmp_path: Path) -> None:
    assert postgres_server.find_bin_dir(tmp_path) is None


def test_a_busy_port_is_avoided() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken = busy.getsockname()[1]
        port = postgres_server.free_port(taken)
    assert port != taken and port > 0


def test_the_environment_matches_the_profile_variables() -> None:
    server = postgres_server.PostgresServer("127.0.0.1", 5999, "postgres", "segmentation")
    assert server.environment() == {
        "PGHOST": "127.0.0.1",
        "PGPORT": "5999",
        "PGUSER": "postgres",
        "PGDATABASE": "segmentation",
    }
